"""The one thing pyproject.toml cannot say without an experimental table: the C page walk.

Optional: without a C compiler the install still succeeds, and bot.extract walks the page in
Python (the same blocks, slower). See bot/_fastwalk.c.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "bot._fastwalk",
            sources=["bot/_fastwalk.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
