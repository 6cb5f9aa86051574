"""What pyproject.toml cannot say without an experimental table: the two C speed-ups.

Both optional: without a C compiler the install still succeeds, and bot.extract walks the page
and bot.textnorm splits words in Python (the same results, slower). See bot/_fastwalk.c and
bot/_fasttokens.c.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "bot._fastwalk",
            sources=["bot/_fastwalk.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
        Extension(
            "bot._fasttokens",
            sources=["bot/_fasttokens.c"],
            optional=True,
            # No fused multiply-adds: best_chain must round as Python's float arithmetic does.
            extra_compile_args=["-O2", "-ffp-contract=off"],
        ),
    ]
)
