/*
 * The word split of bot/textnorm.py (TOKEN_RE) in C. Why: splitting a page's text with re.split
 * and working out offsets from the pieces was most of tokenising, and tokenising is most of a
 * check on long sources (a book, a long PDF). Normalising the words stays in Python.
 *
 * TOKEN_RE, at each position of the text, in this order:
 *   a. a number with inner separators: \d+(?:[.,]\d+)+ not followed by a word character;
 *   b. an English clitic: an apostrophe, then s|t|re|ve|ll|d|m (any case), not followed by a
 *      word character;
 *   c. a run of word characters;
 * else the character belongs to the gap. Word characters are what Python's [^\W_] matches
 * (Py_UNICODE_ISALNUM) plus the invisible characters that may sit inside a word; \d is
 * Py_UNICODE_ISDECIMAL, as in the re module. In (a), backtracking can only end the match at the
 * end of an earlier [.,]\d+ group (a shorter digit run would leave a digit, a word character,
 * next), so the candidates are the group ends, longest first.
 * tests/test_fasttokens.py compares this with the regex on generated text.
 *
 * split_words also normalises the words that need no Unicode database: ASCII words (lower
 * case, thousands separators dropped, as casefold() and _FAST_THOUSANDS_RE do) and clitics
 * written with an apostrophe that NFKC leaves alone ("\u2019s" -> "'s"). Why: joining, casefolding
 * and splitting every word again in Python cost more than the split itself. Any other word
 * (non-ASCII, or holding a backtick, which becomes "'" only in a text with non-ASCII words) is
 * left raw and listed, for normalize_words to finish.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int
is_invisible(Py_UCS4 ch)
{
    return ch == 0x00AD || ch == 0x200B || ch == 0x200C || ch == 0x200D || ch == 0x2060 ||
           ch == 0xFEFF;
}

static int
is_apostrophe(Py_UCS4 ch)
{
    return ch == '\'' || ch == 0x2019 || ch == 0x02BC || ch == 0x2018 || ch == '`' ||
           ch == 0x00B4 || ch == 0x2032;
}

static int
is_word(Py_UCS4 ch)
{
    if (ch < 128)
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    return Py_UNICODE_ISALNUM(ch) || is_invisible(ch);
}

static int
is_decimal(Py_UCS4 ch)
{
    if (ch < 128)
        return ch >= '0' && ch <= '9';
    return Py_UNICODE_ISDECIMAL(ch);
}

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} text_view;

static Py_UCS4
at(const text_view *t, Py_ssize_t i)
{
    return PyUnicode_READ(t->kind, t->data, i);
}

static int
word_at(const text_view *t, Py_ssize_t i)
{
    return i < t->n && is_word(at(t, i));
}

static Py_ssize_t
decimal_run(const text_view *t, Py_ssize_t i)
{
    while (i < t->n && is_decimal(at(t, i)))
        i++;
    return i;
}

/* (a): the end of a number token starting at i, or -1. */
static Py_ssize_t
number_end(const text_view *t, Py_ssize_t i, Py_ssize_t **ends, Py_ssize_t *cap)
{
    Py_ssize_t k = decimal_run(t, i), count = 0;
    while (k + 1 < t->n) {
        Py_UCS4 sep = at(t, k);
        if ((sep != '.' && sep != ',') || !is_decimal(at(t, k + 1)))
            break;
        k = decimal_run(t, k + 1);
        if (count == *cap) {
            Py_ssize_t grown = *cap * 2;
            Py_ssize_t *more = PyMem_Realloc(*ends, (size_t)grown * sizeof(Py_ssize_t));
            if (more == NULL)
                return -2;
            *ends = more;
            *cap = grown;
        }
        (*ends)[count++] = k;
    }
    while (count > 0) {
        Py_ssize_t end = (*ends)[--count];
        if (!word_at(t, end))
            return end;
    }
    return -1;
}

/* (b): the end of a clitic token starting at the apostrophe at i, or -1. */
static Py_ssize_t
clitic_end(const text_view *t, Py_ssize_t i)
{
    if (i + 1 >= t->n)
        return -1;
    Py_UCS4 c1 = at(t, i + 1) | 0x20; /* ASCII letters only: other characters never equal */
    Py_UCS4 raw1 = at(t, i + 1);
    if (raw1 >= 128)
        return -1;
    Py_ssize_t len = 0;
    if (c1 == 's' || c1 == 't' || c1 == 'd' || c1 == 'm') {
        len = 1;
    }
    else if (c1 == 'r' || c1 == 'v' || c1 == 'l') {
        if (i + 2 >= t->n || at(t, i + 2) >= 128)
            return -1;
        Py_UCS4 c2 = at(t, i + 2) | 0x20;
        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
            len = 2;
        else
            return -1;
    }
    else {
        return -1;
    }
    /* "| 0x20" maps some punctuation onto letters ('@' -> '`'...): check the letters are letters */
    for (Py_ssize_t j = 1; j <= len; j++) {
        Py_UCS4 ch = at(t, i + j);
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return -1;
    }
    Py_ssize_t end = i + 1 + len;
    return word_at(t, end) ? -1 : end;
}

static int
append_index(PyObject *list, Py_ssize_t value)
{
    PyObject *num = PyLong_FromSsize_t(value);
    if (num == NULL)
        return -1;
    int rc = PyList_Append(list, num);
    Py_DECREF(num);
    return rc;
}


/* Apostrophes NFKC leaves as they are, so that normalize_words makes them "'" directly
 * (tests/test_fasttokens.py checks the list against unicodedata and textnorm._APOSTROPHES). */
static int
is_plain_apostrophe(Py_UCS4 ch)
{
    return ch == 0x2019 || ch == 0x02BC || ch == 0x2018 || ch == 0x2032;
}

static int
is_digit(Py_UCS4 ch)
{
    return ch >= '0' && ch <= '9';
}

/* Whether the comma at i of the word t[start:end) is a thousands separator to drop: a digit
 * before it, exactly three digits after it, then the word's end or a non-digit
 * (_FAST_THOUSANDS_RE within one word; a word never starts or ends with a comma). */
static int
thousands_comma(const text_view *t, Py_ssize_t i, Py_ssize_t start, Py_ssize_t end)
{
    return i > start && i + 3 < end && is_digit(at(t, i - 1)) && is_digit(at(t, i + 1)) &&
           is_digit(at(t, i + 2)) && is_digit(at(t, i + 3)) &&
           (i + 4 == end || !is_digit(at(t, i + 4)));
}

/* The normalised form of the ASCII word t[start:end), or NULL when the substring is already
 * normalised or (*raw set) the word is to be left raw. */
static PyObject *
ascii_word(const text_view *t, Py_ssize_t start, Py_ssize_t end, int *raw)
{
    Py_ssize_t kept = end - start;
    int changed = 0;
    *raw = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        if (ch == '`') {
            *raw = 1;
            return NULL;
        }
        if (ch >= 'A' && ch <= 'Z') {
            changed = 1;
        }
        else if (ch == ',' && thousands_comma(t, i, start, end)) {
            changed = 1;
            kept--;
        }
    }
    if (!changed)
        return NULL;
    PyObject *word = PyUnicode_New(kept, 127);
    if (word == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(word);
    Py_ssize_t o = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        if (ch == ',' && thousands_comma(t, i, start, end))
            continue;
        out[o++] = (Py_UCS1)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
    }
    return word;
}

/* "'" and the lower-cased ASCII letters of a clitic written with a plain apostrophe. */
static PyObject *
clitic_word(const text_view *t, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *word = PyUnicode_New(end - start, 127);
    if (word == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(word);
    out[0] = '\'';
    for (Py_ssize_t i = start + 1; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        out[i - start] = (Py_UCS1)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
    }
    return word;
}

/* What split_words makes of the word t[start:end): a new reference, *pending set when it is
 * left raw; *non_ascii set when it holds a non-ASCII character. */
static PyObject *
word_of(PyObject *text, const text_view *t, Py_ssize_t start, Py_ssize_t end, int *pending,
        int *non_ascii)
{
    Py_UCS4 high = 0;
    for (Py_ssize_t i = start; i < end && high < 128; i++) {
        Py_UCS4 ch = at(t, i);
        if (ch > high)
            high = ch;
    }
    *pending = 0;
    if (high < 128) {
        int raw = 0;
        PyObject *word = ascii_word(t, start, end, &raw);
        if (word != NULL || PyErr_Occurred())
            return word;
        *pending = raw;
        return PyUnicode_Substring(text, start, end);
    }
    *non_ascii = 1;
    Py_UCS4 first = at(t, start);
    if (is_plain_apostrophe(first)) {
        int rest_ascii = 1;
        for (Py_ssize_t i = start + 1; i < end; i++)
            if (at(t, i) >= 128)
                rest_ascii = 0;
        if (rest_ascii && end - start > 1)
            return clitic_word(t, start, end);
    }
    *pending = 1;
    return PyUnicode_Substring(text, start, end);
}

/* The split; with ``normalise``, split_words's words, the indices of the raw ones and whether
 * any word is non-ASCII as well. */
static PyObject *
split(PyObject *arg, int normalise, const char *name)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s() takes a str", name);
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(arg) < 0) /* a legacy string made by the old C API */
        return NULL;
#endif
    text_view t = {PyUnicode_KIND(arg), PyUnicode_DATA(arg), PyUnicode_GET_LENGTH(arg)};
    PyObject *words = PyList_New(0), *starts = PyList_New(0), *ends = PyList_New(0);
    PyObject *pending = PyList_New(0);
    int non_ascii = 0;
    Py_ssize_t cap = 8;
    Py_ssize_t *group_ends = PyMem_Malloc((size_t)cap * sizeof(Py_ssize_t));
    if (words == NULL || starts == NULL || ends == NULL || pending == NULL || group_ends == NULL)
        goto fail;
    Py_ssize_t i = 0;
    while (i < t.n) {
        Py_UCS4 ch = at(&t, i);
        Py_ssize_t end = -1;
        if (is_decimal(ch)) {
            end = number_end(&t, i, &group_ends, &cap);
            if (end == -2) {
                PyErr_NoMemory();
                goto fail;
            }
        }
        else if (is_apostrophe(ch)) {
            end = clitic_end(&t, i);
        }
        if (end < 0 && is_word(ch)) {
            end = i + 1;
            while (end < t.n && is_word(at(&t, end)))
                end++;
        }
        if (end < 0) {
            i++;
            continue;
        }
        int raw = 0;
        PyObject *word = normalise ? word_of(arg, &t, i, end, &raw, &non_ascii)
                                   : PyUnicode_Substring(arg, i, end);
        if (word == NULL)
            goto fail;
        int rc = PyList_Append(words, word);
        Py_DECREF(word);
        if (rc < 0 || (raw && append_index(pending, PyList_GET_SIZE(words) - 1) < 0) ||
            append_index(starts, i) < 0 || append_index(ends, end) < 0)
            goto fail;
        i = end;
    }
    PyMem_Free(group_ends);
    PyObject *out = normalise ? Py_BuildValue("(OOOOO)", words, starts, ends, pending,
                                              non_ascii ? Py_True : Py_False)
                              : PyTuple_Pack(3, words, starts, ends);
    Py_DECREF(words);
    Py_DECREF(starts);
    Py_DECREF(ends);
    Py_DECREF(pending);
    return out;
fail:
    if (group_ends == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
    PyMem_Free(group_ends);
    Py_XDECREF(words);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(pending);
    return NULL;
}

static PyObject *
split_tokens(PyObject *self, PyObject *arg)
{
    return split(arg, 0, "split_tokens");
}

static PyObject *
split_words(PyObject *self, PyObject *arg)
{
    return split(arg, 1, "split_words");
}

static PyMethodDef methods[] = {
    {"split_tokens", split_tokens, METH_O,
     "split_tokens(text) -> (words, starts, ends): TOKEN_RE's matches and their offsets."},
    {"split_words", split_words, METH_O,
     "split_words(text) -> (words, starts, ends, raw, non_ascii): split_tokens with the words "
     "normalised where no Unicode database is needed; raw lists the others' indices."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "bot._fasttokens",
    "The word split of bot.textnorm in C (see _fasttokens.c).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fasttokens(void)
{
    return PyModule_Create(&module);
}
