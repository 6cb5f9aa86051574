/*
 * The word split of bot/textnorm.py (TOKEN_RE) in C. Why: splitting a page's text with re.split
 * and working out offsets from the pieces was most of tokenising, and tokenising is most of a
 * check on long sources (a book, a long PDF). Normalising the words stays in Python. Offsets go
 * to Python as array('q'), not as an int object each.
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
 * left raw and listed, for normalize_words to finish. Its words come as Words, a sequence that
 * makes a word's str when it is read (see below).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Inlined into each per-kind copy of the split, where the kind is a constant. */
#define HOT static inline __attribute__((always_inline))

HOT int
is_invisible(Py_UCS4 ch)
{
    return ch == 0x00AD || ch == 0x200B || ch == 0x200C || ch == 0x200D || ch == 0x2060 ||
           ch == 0xFEFF;
}

HOT int
is_apostrophe(Py_UCS4 ch)
{
    return ch == '\'' || ch == 0x2019 || ch == 0x02BC || ch == 0x2018 || ch == '`' ||
           ch == 0x00B4 || ch == 0x2032;
}

HOT int
is_word(Py_UCS4 ch)
{
    if (ch < 128)
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    return Py_UNICODE_ISALNUM(ch) || is_invisible(ch);
}

HOT int
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

HOT Py_UCS4
at(const text_view *t, Py_ssize_t i)
{
    return PyUnicode_READ(t->kind, t->data, i);
}

HOT int
word_at(const text_view *t, Py_ssize_t i)
{
    return i < t->n && is_word(at(t, i));
}

HOT Py_ssize_t
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


/* Token offsets as the split makes them: a growable C buffer, handed to Python as one
 * array('q'). Why: a Python int per offset, two per word, was a third of the split's time and
 * most of shifting offsets when the full text's tokens are joined from the main text's. */
typedef struct {
    int64_t *data;
    Py_ssize_t n, cap;
} offsets;

HOT int
offsets_push(offsets *o, Py_ssize_t value)
{
    if (o->n == o->cap) {
        Py_ssize_t grown = o->cap ? o->cap * 2 : 256;
        int64_t *more = PyMem_Realloc(o->data, (size_t)grown * sizeof(int64_t));
        if (more == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        o->data = more;
        o->cap = grown;
    }
    o->data[o->n++] = (int64_t)value;
    return 0;
}

static PyObject *array_type; /* array.array, found at import */
static PyObject *typecode_q; /* "q": signed 64-bit, checked at import */

/* A new array('q') holding data[0:n). */
static PyObject *
offsets_array(const int64_t *data, Py_ssize_t n)
{
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)data, n * (Py_ssize_t)sizeof(int64_t));
    if (bytes == NULL)
        return NULL;
    PyObject *out = PyObject_CallFunctionObjArgs(array_type, typecode_q, bytes, NULL);
    Py_DECREF(bytes);
    return out;
}

/* Apostrophes NFKC leaves as they are, so that normalize_words makes them "'" directly
 * (tests/test_fasttokens.py checks the list against unicodedata and textnorm._APOSTROPHES). */
HOT int
is_plain_apostrophe(Py_UCS4 ch)
{
    return ch == 0x2019 || ch == 0x02BC || ch == 0x2018 || ch == 0x2032;
}

HOT int
is_digit(Py_UCS4 ch)
{
    return ch >= '0' && ch <= '9';
}

/* Whether the comma at i of the word t[start:end) is a thousands separator to drop: a digit
 * before it, exactly three digits after it, then the word's end or a non-digit
 * (_FAST_THOUSANDS_RE within one word; a word never starts or ends with a comma). */
HOT int
thousands_comma(const text_view *t, Py_ssize_t i, Py_ssize_t start, Py_ssize_t end)
{
    return i > start && i + 3 < end && is_digit(at(t, i - 1)) && is_digit(at(t, i + 1)) &&
           is_digit(at(t, i + 2)) && is_digit(at(t, i + 3)) &&
           (i + 4 == end || !is_digit(at(t, i + 4)));
}

/* ------------------------------------------------------------------ words, made lazily */

/* How split_words normalises the word t[start:end): ASCII words are lower-cased with thousands
 * separators dropped (casefold() and _FAST_THOUSANDS_RE); a clitic written with a plain
 * apostrophe becomes "'" and its lower-cased letters; any other word (non-ASCII, or ASCII with
 * a backtick, which becomes "'" only in a text with non-ASCII words) stays raw, for Python's
 * normalize_words to finish. */
enum { FORM_ASCII, FORM_CLITIC, FORM_RAW };

typedef struct {
    int form;
    int non_ascii;
    Py_ssize_t commas;
} word_shape;

HOT word_shape
shape_of(const text_view *t, Py_ssize_t start, Py_ssize_t end)
{
    word_shape sh = {FORM_ASCII, 0, 0};
    int backtick = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        if (ch >= 128) {
            sh.non_ascii = 1;
            break;
        }
        if (ch == '`')
            backtick = 1;
        else if (ch == ',' && thousands_comma(t, i, start, end))
            sh.commas++;
    }
    if (!sh.non_ascii) {
        if (backtick)
            sh.form = FORM_RAW;
        return sh;
    }
    sh.commas = 0;
    sh.form = FORM_RAW;
    if (is_plain_apostrophe(at(t, start)) && end - start > 1) {
        int rest_ascii = 1;
        for (Py_ssize_t i = start + 1; i < end; i++)
            if (at(t, i) >= 128)
                rest_ascii = 0;
        if (rest_ascii)
            sh.form = FORM_CLITIC;
    }
    return sh;
}

HOT Py_UCS4
lower_ascii(Py_UCS4 ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
}

/* A word's key, a function of the code points of its normalised form, whether they come from
 * the text or from a str. A word of at most 7 ASCII code points is its own key: the code points
 * packed, with the length, under the top bit; equal keys are equal words. Any other word's key
 * is FNV-1a over its code points, mixed, top bit clear; words sharing such a key are told apart
 * by their letters. */
typedef struct {
    uint64_t hash, packed;
    Py_ssize_t len;
    int small;
} key_acc;

#define EXACT_KEY ((uint64_t)1 << 63)

HOT void
key_start(key_acc *a)
{
    a->hash = 1469598103934665603ULL;
    a->packed = 0;
    a->len = 0;
    a->small = 1;
}

HOT void
key_add(key_acc *a, Py_UCS4 cp)
{
    a->hash = (a->hash ^ cp) * 1099511628211ULL;
    if (a->small) {
        if (cp >= 128 || a->len >= 7)
            a->small = 0;
        else
            a->packed |= (uint64_t)cp << (8 * a->len);
    }
    a->len++;
}

HOT uint64_t
key_end(const key_acc *a)
{
    if (a->small)
        return EXACT_KEY | (uint64_t)a->len << 56 | a->packed;
    uint64_t h = a->hash;
    h ^= h >> 31;
    h *= 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    return h & ~EXACT_KEY;
}

/* Where a key starts its probe in a table of mask + 1 slots (packed keys' low bits are a first
 * letter: spread them). */
HOT size_t
key_slot(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

HOT uint64_t
shaped_key(const text_view *t, Py_ssize_t start, Py_ssize_t end, word_shape sh)
{
    key_acc a;
    key_start(&a);
    Py_ssize_t i = start;
    if (sh.form == FORM_RAW) {
        for (; i < end; i++)
            key_add(&a, at(t, i));
        return key_end(&a);
    }
    if (sh.form == FORM_CLITIC) {
        key_add(&a, '\'');
        i++;
    }
    for (; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        if (sh.commas && ch == ',' && thousands_comma(t, i, start, end))
            continue;
        key_add(&a, lower_ascii(ch));
    }
    return key_end(&a);
}

static uint64_t
str_key(PyObject *s)
{
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    key_acc a;
    key_start(&a);
    for (Py_ssize_t i = 0, n = PyUnicode_GET_LENGTH(s); i < n; i++)
        key_add(&a, PyUnicode_READ(kind, data, i));
    return key_end(&a);
}

/* Whether the normalised form of t[start:end) is the str s. */
static int
shaped_equals(const text_view *t, Py_ssize_t start, Py_ssize_t end, word_shape sh, PyObject *s)
{
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s), o = 0, i = start;
    if (sh.form == FORM_RAW) {
        if (end - start != n)
            return 0;
        for (; i < end; i++, o++)
            if (at(t, i) != PyUnicode_READ(kind, data, o))
                return 0;
        return 1;
    }
    if (sh.form == FORM_CLITIC) {
        if (n < 1 || PyUnicode_READ(kind, data, 0) != '\'')
            return 0;
        o = 1;
        i++;
    }
    for (; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        if (sh.commas && ch == ',' && thousands_comma(t, i, start, end))
            continue;
        if (o >= n || PyUnicode_READ(kind, data, o) != lower_ascii(ch))
            return 0;
        o++;
    }
    return o == n;
}

/* The normalised form of text[start:end) as a new str (t views text). */
static PyObject *
shaped_word(PyObject *text, const text_view *t, Py_ssize_t start, Py_ssize_t end, word_shape sh)
{
    if (sh.form == FORM_RAW)
        return PyUnicode_Substring(text, start, end);
    PyObject *word = PyUnicode_New(end - start - sh.commas, 127);
    if (word == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(word);
    Py_ssize_t o = 0, i = start;
    if (sh.form == FORM_CLITIC) {
        out[o++] = '\'';
        i++;
    }
    for (; i < end; i++) {
        Py_UCS4 ch = at(t, i);
        if (sh.commas && ch == ',' && thousands_comma(t, i, start, end))
            continue;
        out[o++] = (Py_UCS1)lower_ascii(ch);
    }
    return word;
}

/* Words: the normalised words of a text, made into str objects only when read. Why: a page has
 * thousands of words and the matcher reads a few windows of them; making a str of every word
 * was half of splitting a text, and finding the exact runs compared the words through their
 * objects. A word is held as its offsets into the text and its key; a word Python normalised
 * (a raw one, assigned back) is held as that str, and so is a word once read. A read gives what
 * the list of split_words's words gave: a str equal to the word. */
typedef struct {
    PyObject_HEAD
    PyObject *text;    /* the str the offsets point into */
    Py_ssize_t n;
    int64_t *starts;   /* n each, or NULL when n == 0 */
    int64_t *ends;
    uint64_t *keys;
    PyObject **fixed;  /* NULL, or n slots: the str of a word once made or assigned */
} WordsObject;

static PyTypeObject Words_Type;
#define Words_Check(o) Py_IS_TYPE((o), &Words_Type)

static text_view
view_of(PyObject *text)
{
    text_view t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    return t;
}

/* Frees an array of n carried strs (NULL slots allowed), the array itself too. */
static void
fixed_free(PyObject **fixed, Py_ssize_t n)
{
    if (fixed == NULL)
        return;
    for (Py_ssize_t i = 0; i < n; i++)
        Py_XDECREF(fixed[i]);
    PyMem_Free(fixed);
}

/* A new Words over text that takes over the buffers (freed with PyMem_Free); NULL on error,
 * with the buffers freed. */
static PyObject *
words_new(PyObject *text, Py_ssize_t n, int64_t *starts, int64_t *ends, uint64_t *keys,
          PyObject **fixed)
{
    WordsObject *w = PyObject_New(WordsObject, &Words_Type);
    if (w == NULL) {
        PyMem_Free(starts);
        PyMem_Free(ends);
        PyMem_Free(keys);
        fixed_free(fixed, n);
        return NULL;
    }
    w->text = Py_NewRef(text);
    w->n = n;
    w->starts = starts;
    w->ends = ends;
    w->keys = keys;
    w->fixed = fixed;
    return (PyObject *)w;
}

static void
words_dealloc(WordsObject *w)
{
    fixed_free(w->fixed, w->n);
    PyMem_Free(w->starts);
    PyMem_Free(w->ends);
    PyMem_Free(w->keys);
    Py_DECREF(w->text);
    PyObject_Free(w);
}

static Py_ssize_t
words_length(WordsObject *w)
{
    return w->n;
}

/* Word i (0 <= i < n), a new reference. A word once made is kept: the matcher reads the
 * same windows several times. */
static PyObject *
words_get(WordsObject *w, Py_ssize_t i)
{
    if (w->fixed != NULL && w->fixed[i] != NULL)
        return Py_NewRef(w->fixed[i]);
    if (w->fixed == NULL) {
        w->fixed = PyMem_Calloc((size_t)w->n, sizeof(PyObject *));
        if (w->fixed == NULL)
            return PyErr_NoMemory();
    }
    text_view t = view_of(w->text);
    Py_ssize_t start = w->starts[i], end = w->ends[i];
    PyObject *word = shaped_word(w->text, &t, start, end, shape_of(&t, start, end));
    w->fixed[i] = Py_XNewRef(word);
    return word;
}

/* Whether word i is the str s (an exact str). */
static int
words_equals(WordsObject *w, Py_ssize_t i, PyObject *s)
{
    if (w->fixed != NULL && w->fixed[i] != NULL)
        return PyUnicode_Compare(w->fixed[i], s) == 0;
    text_view t = view_of(w->text);
    Py_ssize_t start = w->starts[i], end = w->ends[i];
    return shaped_equals(&t, start, end, shape_of(&t, start, end), s);
}

static PyObject *
words_item(WordsObject *w, Py_ssize_t i)
{
    if (i < 0 || i >= w->n) {
        PyErr_SetString(PyExc_IndexError, "Words index out of range");
        return NULL;
    }
    return words_get(w, i);
}

static PyObject *
words_subscript(WordsObject *w, PyObject *key)
{
    if (PyIndex_Check(key)) {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        if (i < 0)
            i += w->n;
        return words_item(w, i);
    }
    if (!PySlice_Check(key)) {
        PyErr_Format(PyExc_TypeError, "Words indices must be integers or slices, not %.200s",
                     Py_TYPE(key)->tp_name);
        return NULL;
    }
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(key, &start, &stop, &step) < 0)
        return NULL;
    Py_ssize_t count = PySlice_AdjustIndices(w->n, &start, &stop, step);
    PyObject *out = PyList_New(count);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t k = 0, i = start; k < count; k++, i += step) {
        PyObject *word = words_get(w, i);
        if (word == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, word);
    }
    return out;
}

/* words[i] = s: the word as Python normalised it (textnorm.finish_split, for the raw words). */
static int
words_ass_subscript(WordsObject *w, PyObject *key, PyObject *value)
{
    if (value == NULL || !PyIndex_Check(key)) {
        PyErr_SetString(PyExc_TypeError, "Words take only words[i] = str");
        return -1;
    }
    if (!PyUnicode_CheckExact(value)) {
        PyErr_SetString(PyExc_TypeError, "a word is a str");
        return -1;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return -1;
    if (i < 0)
        i += w->n;
    if (i < 0 || i >= w->n) {
        PyErr_SetString(PyExc_IndexError, "Words assignment index out of range");
        return -1;
    }
    if (w->fixed == NULL) {
        w->fixed = PyMem_Calloc((size_t)w->n, sizeof(PyObject *));
        if (w->fixed == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    Py_XSETREF(w->fixed[i], Py_NewRef(value));
    w->keys[i] = str_key(value);
    return 0;
}

static PyObject *
words_richcompare(PyObject *a, PyObject *b, int op)
{
    if ((op != Py_EQ && op != Py_NE) || !Words_Check(a) ||
        !(Words_Check(b) || PyList_Check(b)))
        Py_RETURN_NOTIMPLEMENTED;
    WordsObject *w = (WordsObject *)a;
    int equal = PyObject_Length(b) == w->n;
    for (Py_ssize_t i = 0; equal && i < w->n; i++) {
        PyObject *other;
        if (Words_Check(b)) {
            if (((WordsObject *)b)->keys[i] != w->keys[i]) {
                equal = 0;
                break;
            }
            other = words_get((WordsObject *)b, i);
        }
        else {
            if (i >= PyList_GET_SIZE(b)) { /* the list changed under an __eq__ */
                equal = 0;
                break;
            }
            other = Py_NewRef(PyList_GET_ITEM(b, i));
        }
        PyObject *mine = other ? words_get(w, i) : NULL;
        int eq = mine ? PyObject_RichCompareBool(mine, other, Py_EQ) : -1;
        Py_XDECREF(mine);
        Py_XDECREF(other);
        if (eq < 0)
            return NULL;
        equal = eq;
    }
    return PyBool_FromLong(op == Py_EQ ? equal : !equal);
}

static PyObject *
words_repr(WordsObject *w)
{
    PyObject *all = PySequence_List((PyObject *)w);
    if (all == NULL)
        return NULL;
    PyObject *out = PyUnicode_FromFormat("Words(%R)", all);
    Py_DECREF(all);
    return out;
}

/* words.without(gone): the words but those at the ascending indices in the list gone
 * (textnorm.tokenize drops the words that normalise to ""). */
static PyObject *
words_without(WordsObject *w, PyObject *gone)
{
    if (!PyList_Check(gone)) {
        PyErr_SetString(PyExc_TypeError, "without() takes a list of indices");
        return NULL;
    }
    Py_ssize_t n_gone = PyList_GET_SIZE(gone), size = w->n ? w->n : 1;
    char *drop = PyMem_Calloc((size_t)size, 1);
    if (drop == NULL)
        return PyErr_NoMemory();
    Py_ssize_t dropped = 0;
    for (Py_ssize_t g = 0; g < n_gone && g < PyList_GET_SIZE(gone); g++) {
        PyObject *item = Py_NewRef(PyList_GET_ITEM(gone, g)); /* __index__ may change the list */
        Py_ssize_t i = PyNumber_AsSsize_t(item, PyExc_IndexError);
        Py_DECREF(item);
        if (i == -1 && PyErr_Occurred()) {
            PyMem_Free(drop);
            return NULL;
        }
        if (i < 0 || i >= w->n) {
            PyMem_Free(drop);
            PyErr_SetString(PyExc_IndexError, "without(): an index out of range");
            return NULL;
        }
        dropped += !drop[i];
        drop[i] = 1;
    }
    Py_ssize_t n = w->n - dropped, keep = n ? n : 1;
    int64_t *starts = PyMem_Malloc((size_t)keep * sizeof(int64_t));
    int64_t *ends = PyMem_Malloc((size_t)keep * sizeof(int64_t));
    uint64_t *keys = PyMem_Malloc((size_t)keep * sizeof(uint64_t));
    PyObject **fixed = w->fixed ? PyMem_Calloc((size_t)keep, sizeof(PyObject *)) : NULL;
    if (starts == NULL || ends == NULL || keys == NULL || (w->fixed && fixed == NULL)) {
        PyMem_Free(drop);
        PyMem_Free(starts);
        PyMem_Free(ends);
        PyMem_Free(keys);
        PyMem_Free(fixed);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0, k = 0; i < w->n; i++) {
        if (drop[i])
            continue;
        starts[k] = w->starts[i];
        ends[k] = w->ends[i];
        keys[k] = w->keys[i];
        if (fixed != NULL)
            fixed[k] = Py_XNewRef(w->fixed[i]);
        k++;
    }
    PyMem_Free(drop);
    return words_new(w->text, n, starts, ends, keys, fixed);
}

/* A copy or a pickle of Words is the list of its words. */
static PyObject *
words_reduce(WordsObject *w, PyObject *unused)
{
    PyObject *all = PySequence_List((PyObject *)w);
    if (all == NULL)
        return NULL;
    return Py_BuildValue("(O(N))", (PyObject *)&PyList_Type, all);
}

static PySequenceMethods words_as_sequence = {
    .sq_length = (lenfunc)words_length,
    .sq_item = (ssizeargfunc)words_item,
};

static PyMappingMethods words_as_mapping = {
    .mp_length = (lenfunc)words_length,
    .mp_subscript = (binaryfunc)words_subscript,
    .mp_ass_subscript = (objobjargproc)words_ass_subscript,
};

static PyMethodDef words_methods[] = {
    {"without", (PyCFunction)words_without, METH_O,
     "without(gone) -> Words: these words but those at the ascending indices in gone."},
    {"__reduce__", (PyCFunction)words_reduce, METH_NOARGS,
     "A copy or a pickle of Words is the list of its words."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Words_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "bot._fasttokens.Words",
    .tp_basicsize = sizeof(WordsObject),
    .tp_dealloc = (destructor)words_dealloc,
    .tp_repr = (reprfunc)words_repr,
    .tp_as_sequence = &words_as_sequence,
    .tp_as_mapping = &words_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The normalised words of a text, made into str objects when read (split_words).",
    .tp_richcompare = words_richcompare,
    .tp_methods = words_methods,
};

/* ASCII characters by what may start at them: a word character (letters and digits), a digit,
 * an apostrophe; 0 for the rest. CLASS_OTHER stands for any non-ASCII character. */
enum { CLASS_WORD = 1, CLASS_DIGIT = 2, CLASS_APOSTROPHE = 4, CLASS_OTHER = 8 };
static uint8_t ascii_class[128];

static void
fill_ascii_class(void)
{
    for (int c = 0; c < 128; c++) {
        ascii_class[c] = (uint8_t)((is_word((Py_UCS4)c) ? CLASS_WORD : 0) |
                                   (is_decimal((Py_UCS4)c) ? CLASS_DIGIT : 0) |
                                   (is_apostrophe((Py_UCS4)c) ? CLASS_APOSTROPHE : 0));
    }
}

/* (c): the end of the run of word characters starting at i (a word character). While the run
 * is ASCII, its key is made on the way (*ascii stays 1): an ASCII run is a FORM_ASCII word
 * without commas, whose key shaped_key would make the same. */
HOT Py_ssize_t
plain_run(const text_view *t, Py_ssize_t i, key_acc *a, int *ascii)
{
    key_start(a);
    *ascii = 1;
    Py_ssize_t end = i;
    while (end < t->n) {
        Py_UCS4 ch = at(t, end);
        if (ch < 128) {
            if (!(ascii_class[ch] & CLASS_WORD))
                break;
            key_add(a, lower_ascii(ch));
        }
        else {
            if (!is_word(ch))
                break;
            *ascii = 0;
        }
        end++;
    }
    return end;
}

/* What a split gathers: the words' offsets, and either the words as they stand (a list) or, to
 * normalise, their keys, the indices of the raw ones and whether any is non-ASCII. */
typedef struct {
    int normalise;
    offsets starts, ends, keys;
    PyObject *words;   /* normalise 0: the list of words */
    PyObject *pending; /* normalise 1: indices (among all gathered words) of the raw ones */
    int non_ascii;
    Py_ssize_t *group_ends, cap; /* number_end's scratch */
} gathered;

static int
gathered_init(gathered *g, int normalise)
{
    memset(g, 0, sizeof(*g));
    g->normalise = normalise;
    g->cap = 8;
    g->group_ends = PyMem_Malloc((size_t)g->cap * sizeof(Py_ssize_t));
    if (normalise)
        g->pending = PyList_New(0);
    else
        g->words = PyList_New(0);
    if (g->group_ends == NULL || (normalise ? g->pending : g->words) == NULL) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
gathered_free(gathered *g)
{
    PyMem_Free(g->group_ends);
    PyMem_Free(g->starts.data);
    PyMem_Free(g->ends.data);
    PyMem_Free(g->keys.data);
    Py_XDECREF(g->words);
    Py_XDECREF(g->pending);
    memset(g, 0, sizeof(*g));
}

/* The split of text[from:to) (t views text up to ``to``; kind a constant where inlined), as
 * split_tokens or split_words would split that slice, offsets into text. Nothing before ``from``
 * is read. */
HOT int
split_range(PyObject *text, const text_view *tv, Py_ssize_t from, gathered *g)
{
    text_view t = *tv;
    Py_ssize_t i = from;
    while (i < t.n) {
        Py_UCS4 ch = at(&t, i);
        Py_ssize_t end = -1;
        /* One look-up tells most of the gap (ASCII that starts no token) and an ASCII letter,
         * which can only start a plain run. */
        uint8_t cls = ch < 128 ? ascii_class[ch] : CLASS_OTHER;
        if (cls == 0) {
            i++;
            continue;
        }
        key_acc run_key = {0, 0, 0, 0};
        int run_ascii = 0; /* a run of ASCII word characters, its key in run_key */
        if (cls == CLASS_WORD) {
            end = plain_run(&t, i, &run_key, &run_ascii);
        }
        else {
            if (is_decimal(ch)) {
                end = number_end(&t, i, &g->group_ends, &g->cap);
                if (end == -2) {
                    PyErr_NoMemory();
                    return -1;
                }
            }
            else if (is_apostrophe(ch)) {
                end = clitic_end(&t, i);
            }
            if (end < 0 && is_word(ch))
                end = plain_run(&t, i, &run_key, &run_ascii);
        }
        if (end < 0) {
            i++;
            continue;
        }
        if (g->normalise) {
            uint64_t key;
            if (run_ascii) { /* FORM_ASCII: no comma, no backtick in a run of letters and digits */
                key = key_end(&run_key);
            }
            else {
                word_shape sh = shape_of(&t, i, end);
                g->non_ascii |= sh.non_ascii;
                if (sh.form == FORM_RAW && append_index(g->pending, g->starts.n) < 0)
                    return -1;
                key = shaped_key(&t, i, end, sh);
            }
            if (offsets_push(&g->keys, (Py_ssize_t)key) < 0)
                return -1;
        }
        else {
            PyObject *word = PyUnicode_Substring(text, i, end);
            if (word == NULL)
                return -1;
            int rc = PyList_Append(g->words, word);
            Py_DECREF(word);
            if (rc < 0)
                return -1;
        }
        if (offsets_push(&g->starts, i) < 0 || offsets_push(&g->ends, end) < 0)
            return -1;
        i = end;
    }
    return 0;
}

/* split_range with the text's kind a constant in each copy. */
static int
split_text_range(PyObject *text, Py_ssize_t from, Py_ssize_t to, gathered *g)
{
    if (from >= to)
        return 0;
    const void *data = PyUnicode_DATA(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: {
        text_view t = {PyUnicode_1BYTE_KIND, data, to};
        return split_range(text, &t, from, g);
    }
    case PyUnicode_2BYTE_KIND: {
        text_view t = {PyUnicode_2BYTE_KIND, data, to};
        return split_range(text, &t, from, g);
    }
    default: {
        text_view t = {PyUnicode_4BYTE_KIND, data, to};
        return split_range(text, &t, from, g);
    }
    }
}

/* The gathered split as split_tokens's (words, starts, ends) or split_words's (words, starts,
 * ends, raw, non_ascii), the words Words over text (with ``fixed`` their carried strs, taken
 * over); NULL on error. The gathered buffers are taken over or freed either way. */
static PyObject *
gathered_result(PyObject *text, gathered *g, PyObject **fixed)
{
    PyObject *out = NULL;
    PyObject *starts = offsets_array(g->starts.data, g->starts.n);
    PyObject *ends = starts ? offsets_array(g->ends.data, g->ends.n) : NULL;
    if (ends != NULL && g->normalise) {
        /* Words takes over the buffers. */
        PyObject *words = words_new(text, g->starts.n, g->starts.data, g->ends.data,
                                    (uint64_t *)g->keys.data, fixed);
        g->starts.data = g->ends.data = g->keys.data = NULL;
        fixed = NULL;
        if (words != NULL)
            out = Py_BuildValue("(NOOOO)", words, starts, ends, g->pending,
                                g->non_ascii ? Py_True : Py_False);
    }
    else if (ends != NULL) {
        out = PyTuple_Pack(3, g->words, starts, ends);
    }
    fixed_free(fixed, g->starts.n);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    gathered_free(g);
    return out;
}

/* split_tokens (normalise 0): the words as they stand, a list. split_words (normalise 1): the
 * words normalised where no Unicode database is needed, as Words, with the indices of the raw
 * ones and whether any word is non-ASCII. */
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
    gathered g;
    if (gathered_init(&g, normalise) < 0 ||
        split_text_range(arg, 0, PyUnicode_GET_LENGTH(arg), &g) < 0) {
        gathered_free(&g);
        return NULL;
    }
    return gathered_result(arg, &g, NULL);
}

/* Room for ``need`` slots in a growing array of carried strs, new slots NULL. */
static int
fixed_room(PyObject ***fixed, Py_ssize_t *cap, Py_ssize_t need)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t grown = *cap ? *cap : 64;
    while (grown < need)
        grown *= 2;
    PyObject **more = PyMem_Realloc(*fixed, (size_t)grown * sizeof(PyObject *));
    if (more == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memset(more + *cap, 0, (size_t)(grown - *cap) * sizeof(PyObject *));
    *fixed = more;
    *cap = grown;
    return 0;
}

/* Whether a[a0:a0+n) and b[b0:b0+n) hold the same code points (the ranges lie inside). */
static int
same_span(PyObject *a, Py_ssize_t a0, PyObject *b, Py_ssize_t b0, Py_ssize_t n)
{
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const char *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
    if (ka == kb)
        return memcmp(da + a0 * ka, db + b0 * kb, (size_t)(n * ka)) == 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(ka, da, a0 + i) != PyUnicode_READ(kb, db, b0 + i))
            return 0;
    return 1;
}

/* bot.extract._bounded: white space (or an end) on both sides of text[start:end). */
static int
bounded(PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    return (start == 0 || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start - 1))) &&
           (end == PyUnicode_GET_LENGTH(text) || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end)));
}

/* The first i in [0, n) with a[i] >= x, else n. */
static Py_ssize_t
first_at_or_after(const int64_t *a, Py_ssize_t n, int64_t x)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* tokens_around(text, main_text, stretches, inner) -> split_words's (words, starts, ends, raw,
 * non_ascii) for text, or None: bot.extract._tokens_around in one call. The text holds every
 * block, main_text the main ones; ``stretches`` (full start, full end, main start, main end) are
 * the runs of main blocks in both; ``inner`` is main_text's Words. Where each stretch stands
 * alike in both texts with white space (or an end) on both sides, its words are inner's, moved;
 * the text between stretches is split. None when a stretch does not (the caller splits the whole
 * text). Raw words are listed for Python's normalisation, as split_words lists them. Why: in
 * Python the slices, the comparisons, a tokenize call per gap and the join cost more than the
 * split itself. */
static PyObject *
tokens_around(PyObject *self, PyObject *args)
{
    PyObject *text, *main_text, *stretch_list, *inner_obj;
    if (!PyArg_ParseTuple(args, "UUO!O!:tokens_around", &text, &main_text, &PyList_Type,
                          &stretch_list, &Words_Type, &inner_obj))
        return NULL;
    WordsObject *inner = (WordsObject *)inner_obj;
    if (inner->text != main_text && PyUnicode_Compare(inner->text, main_text) != 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "tokens_around(): inner holds main_text's words");
        return NULL;
    }
    PyObject *stretches = PySequence_Tuple(stretch_list);
    if (stretches == NULL)
        return NULL;
    Py_ssize_t n_stretches = PyTuple_GET_SIZE(stretches);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), main_len = PyUnicode_GET_LENGTH(main_text);
    Py_ssize_t (*bounds)[4] = PyMem_Malloc((size_t)(n_stretches ? n_stretches : 1) * sizeof(*bounds));
    gathered g;
    PyObject **fixed = NULL, *out = NULL;
    Py_ssize_t fixed_cap = 0;
    int ready = gathered_init(&g, 1) == 0 && bounds != NULL;
    if (!ready && !PyErr_Occurred())
        PyErr_NoMemory();
    for (Py_ssize_t k = 0; ready && k < n_stretches; k++) {
        Py_ssize_t *b = bounds[k];
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(stretches, k), "nnnn", &b[0], &b[1], &b[2], &b[3])) {
            ready = 0;
            break;
        }
        if (!(0 <= b[0] && b[0] <= b[1] && b[1] <= len && 0 <= b[2] && b[2] <= b[3] &&
              b[3] <= main_len && (k == 0 || bounds[k - 1][1] <= b[0]))) {
            PyErr_SetString(PyExc_ValueError, "tokens_around(): stretches lie in order inside "
                                              "both texts");
            ready = 0;
            break;
        }
        if (b[1] - b[0] != b[3] - b[2] || !same_span(text, b[0], main_text, b[2], b[1] - b[0]) ||
            !bounded(text, b[0], b[1]) || !bounded(main_text, b[2], b[3])) {
            Py_INCREF(Py_None); /* the blocks do not lay out the texts: no shortcut */
            out = Py_None;
            ready = 0;
            break;
        }
    }
    Py_ssize_t other_from = 0;
    for (Py_ssize_t k = 0; ready && k < n_stretches; k++) {
        const Py_ssize_t *b = bounds[k];
        if (split_text_range(text, other_from, b[0], &g) < 0) {
            ready = 0;
            break;
        }
        Py_ssize_t lo = first_at_or_after(inner->starts, inner->n, b[2]);
        Py_ssize_t hi = first_at_or_after(inner->starts, inner->n, b[3]);
        Py_ssize_t shift = b[0] - b[2];
        for (Py_ssize_t i = lo; i < hi; i++) {
            if (inner->fixed != NULL && inner->fixed[i] != NULL) {
                if (fixed_room(&fixed, &fixed_cap, g.starts.n + 1) < 0) {
                    ready = 0;
                    break;
                }
                fixed[g.starts.n] = Py_NewRef(inner->fixed[i]);
            }
            if (offsets_push(&g.keys, (Py_ssize_t)inner->keys[i]) < 0 ||
                offsets_push(&g.starts, inner->starts[i] + shift) < 0 ||
                offsets_push(&g.ends, inner->ends[i] + shift) < 0) {
                ready = 0;
                break;
            }
        }
        other_from = b[1];
    }
    if (ready && split_text_range(text, other_from, len, &g) < 0)
        ready = 0;
    /* Every word has a slot (NULL: none carried) if any has a str. */
    if (ready && fixed != NULL && fixed_room(&fixed, &fixed_cap, g.starts.n) < 0)
        ready = 0;
    PyMem_Free(bounds);
    Py_DECREF(stretches);
    if (!ready) {
        fixed_free(fixed, fixed_cap);
        gathered_free(&g);
        return out; /* None, or NULL with the error set */
    }
    return gathered_result(text, &g, fixed);
}

/* best_chain(runs, hint) -> bot.matcher._best_chain_python(runs, hint): the best chain of
 * (quote index, source index, length) runs sorted by quote then source index, as the same
 * dynamic programme with the same floating-point steps in the same order (a jump costs
 * 0.5 * log2(1 + distance / 20), libm's log2 as Python's math.log2 calls it), the same pruning and
 * the same ties (a later predecessor must score strictly more; the first best end wins). Why:
 * the programme is quadratic in the runs, a Python loop of about 20 us a quote. */
typedef struct {
    Py_ssize_t q, s, n;
} span;

static PyObject *
best_chain(PyObject *self, PyObject *args)
{
    PyObject *runs, *hint_obj;
    if (!PyArg_ParseTuple(args, "O!O:best_chain", &PyList_Type, &runs, &hint_obj))
        return NULL;
    int has_hint = hint_obj != Py_None;
    Py_ssize_t hint = 0;
    if (has_hint) {
        hint = PyLong_AsSsize_t(hint_obj);
        if (hint == -1 && PyErr_Occurred())
            return NULL;
    }
    PyObject *items = PySequence_Tuple(runs); /* the list may not change under us */
    if (items == NULL)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    PyObject *out = NULL;
    size_t count = (size_t)(n ? n : 1);
    span *run = PyMem_Malloc(count * sizeof(span)), *trimmed = PyMem_Malloc(count * sizeof(span));
    double *best = PyMem_Malloc(count * sizeof(double));
    Py_ssize_t *prev = PyMem_Malloc(count * sizeof(Py_ssize_t));
    if (run == NULL || trimmed == NULL || best == NULL || prev == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* Indices and lengths below 2^40 (a page has far fewer words): no sum or difference of
     * them can overflow. */
    const Py_ssize_t limit = (Py_ssize_t)1 << 40;
    if (has_hint && (hint <= -limit || hint >= limit)) {
        PyErr_SetString(PyExc_ValueError, "best_chain(): the hint is out of range");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (!PyTuple_Check(item) ||
            !PyArg_ParseTuple(item, "nnn", &run[i].q, &run[i].s, &run[i].n)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "best_chain() takes (q, s, n) tuples");
            goto done;
        }
        if (run[i].q < 0 || run[i].s < 0 || run[i].n < 0 || run[i].q >= limit ||
            run[i].s >= limit || run[i].n >= limit) {
            PyErr_SetString(PyExc_ValueError, "best_chain(): runs of 0 <= q, s, n < 2**40");
            goto done;
        }
    }
    for (Py_ssize_t idx = 0; idx < n; idx++) {
        Py_ssize_t rq = run[idx].q, rs = run[idx].s, rn = run[idx].n;
        double start_pen = 0.0;
        if (has_hint) {
            Py_ssize_t distance = rs - hint;
            start_pen = 0.5 * log2(1 + (double)(distance < 0 ? -distance : distance) / 20) * 0.5;
        }
        double best_score = (double)rn - start_pen;
        Py_ssize_t best_prev = -1;
        span chosen = run[idx];
        for (Py_ssize_t p = 0; p < idx; p++) {
            if (best[p] + (double)rn <= best_score)
                continue;
            Py_ssize_t overlap = trimmed[p].q + trimmed[p].n - rq;
            span c = run[idx];
            if (overlap > 0) {
                if (overlap >= rn)
                    continue;
                c.q = rq + overlap;
                c.s = rs + overlap;
                c.n = rn - overlap;
            }
            Py_ssize_t ps_end = trimmed[p].s + trimmed[p].n;
            if (c.s < ps_end)
                continue;
            double score = best[p] + (double)c.n - 0.5 * log2(1 + (double)(c.s - ps_end) / 20);
            if (score > best_score) {
                best_score = score;
                best_prev = p;
                chosen = c;
            }
        }
        best[idx] = best_score;
        prev[idx] = best_prev;
        trimmed[idx] = chosen;
    }
    out = PyList_New(0);
    if (out == NULL || n == 0)
        goto done;
    Py_ssize_t end = 0;
    for (Py_ssize_t i = 1; i < n; i++)
        if (best[i] > best[end])
            end = i;
    /* The chain from its end back (into ``run``, no longer needed), then re-trimmed in order:
     * trimming against one predecessor may leave overlaps with the chosen one. */
    Py_ssize_t length = 0;
    for (; end >= 0; end = prev[end])
        run[length++] = trimmed[end];
    span last = {0, 0, 0};
    int any = 0;
    for (Py_ssize_t i = length - 1; i >= 0; i--) {
        span c = run[i];
        if (any && c.q < last.q + last.n) {
            Py_ssize_t cut = last.q + last.n - c.q;
            if (cut >= c.n)
                continue;
            c.q += cut;
            c.s += cut;
            c.n -= cut;
        }
        PyObject *t = Py_BuildValue("(nnn)", c.q, c.s, c.n);
        if (t == NULL || PyList_Append(out, t) < 0) {
            Py_XDECREF(t);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(t);
        last = c;
        any = 1;
    }
done:
    PyMem_Free(run);
    PyMem_Free(trimmed);
    PyMem_Free(best);
    PyMem_Free(prev);
    Py_DECREF(items);
    return out;
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

/* ------------------------------------------------------------------ exact runs */

/* bot.matcher._exact_runs before its final cut and sort: every maximal run of at least k equal
 * words shared by the quote's words q and the source's words s, as (quote index + q_offset,
 * source index, length), in the order the Python loop makes them (k-grams of the quote by first
 * occurrence, then quote positions, then source positions, at most ``cap`` a k-gram). Why:
 * marking the source words the quote holds and looking up k-grams was three quarters of
 * matching a quote, most of it a Python call per source word. Words are told apart by their
 * str hash and equality, as the dict and set of the Python loop tell them. */

typedef struct {
    PyObject *word;
    Py_hash_t hash;
    Py_ssize_t id;
} word_slot;

/* Index of the word's slot in a table of 2^bits slots (an empty slot if it is not there). */
static Py_ssize_t
word_probe(word_slot *table, size_t mask, PyObject *word, Py_hash_t hash, size_t i, int *err)
{
    for (;;) {
        word_slot *slot = &table[i];
        if (slot->word == NULL)
            return (Py_ssize_t)i;
        if (slot->word == word)
            return (Py_ssize_t)i;
        if (slot->hash == hash) {
            int eq = PyObject_RichCompareBool(slot->word, word, Py_EQ);
            if (eq < 0) {
                *err = 1;
                return -1;
            }
            if (eq)
                return (Py_ssize_t)i;
        }
        i = (i + 1) & mask;
    }
}

static size_t
table_size(Py_ssize_t items)
{
    size_t size = 8;
    while (size < (size_t)items * 2 + 1)
        size <<= 1;
    return size;
}

static uint64_t
gram_hash(const Py_ssize_t *ids, Py_ssize_t k)
{
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < k; i++) {
        h ^= (uint64_t)ids[i] + 0x9E3779B97F4A7C15ULL;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

/* A cheap sieve before hashing a source word: equal str objects (exact str, not subclasses)
 * have the same length, first and last code point, so a source word whose triple no quote word
 * has is none of them. Most of a page's words are not in the quote, and hashing them all was
 * half of finding the runs. */
#define SIEVE_BITS 4096
static inline int
sievable(PyObject *w)
{
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_CheckExact(w) && PyUnicode_IS_READY(w);
#else
    return PyUnicode_CheckExact(w);
#endif
}

static inline size_t
sieve_key(PyObject *w)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(w);
    if (len == 0)
        return 0;
    Py_UCS4 first = PyUnicode_READ_CHAR(w, 0), last = PyUnicode_READ_CHAR(w, len - 1);
    return ((size_t)len * 2654435761u ^ (size_t)first * 40503u ^ (size_t)last * 9973u) %
           SIEVE_BITS;
}

/* What exact_runs keeps of the quote's k-grams, and the source starts found for each. */
typedef struct {
    Py_ssize_t k, cap;
    size_t gmask;
    const Py_ssize_t *qid, *gram_slot;
    const uint64_t *gram_key;
    Py_ssize_t *count, *head, *tail, *hit_j, *hit_next;
    Py_ssize_t hits, held;
    WordsObject *lazy;      /* the source words, when Words */
    PyObject *const *idword; /* the quote word of each id */
} gram_index;

/* A source word's id in sid: the id of the quote word it equals, -1 if none, or (Words only)
 * UNCHECKED(id) when its key is a hash equal to that quote word's key but its letters are not
 * compared yet. Most such words never stand among k held words, so most are never compared:
 * comparing each was a sixth of the time. */
#define UNCHECKED(id) (-(id)-3)

/* sid[j], its letters compared first if need be (the result kept). */
HOT Py_ssize_t
checked_id(const gram_index *gi, Py_ssize_t *sid, Py_ssize_t j)
{
    Py_ssize_t id = sid[j];
    if (id <= -3) {
        id = UNCHECKED(id);
        if (!words_equals(gi->lazy, j, gi->idword[id]))
            id = -1;
        sid[j] = id;
    }
    return id;
}

/* Source word j has its id in sid: if it ends k words the quote holds, look their gram up and
 * note its start (at most cap a gram). Called for j = 0, 1, ... in order. Unchecked words count
 * as held until k stand together; then those k are checked, and a word found different ends the
 * stretch there. */
HOT void
note_source_word(gram_index *gi, Py_ssize_t *sid, Py_ssize_t j)
{
    Py_ssize_t k = gi->k;
    gi->held = sid[j] != -1 ? gi->held + 1 : 0;
    if (gi->held < k)
        return;
    Py_ssize_t start = j - k + 1;
    if (gi->lazy != NULL) {
        for (Py_ssize_t p = start; p <= j; p++)
            if (checked_id(gi, sid, p) < 0)
                gi->held = j - p;
        if (gi->held < k)
            return;
    }
    uint64_t key = gram_hash(sid + start, k);
    size_t g = (size_t)key & gi->gmask;
    Py_ssize_t first = -1;
    for (;;) {
        Py_ssize_t cand = gi->gram_slot[g];
        if (cand < 0)
            break;
        if (gi->gram_key[g] == key &&
            memcmp(gi->qid + cand, sid + start, (size_t)k * sizeof(Py_ssize_t)) == 0) {
            first = cand;
            break;
        }
        g = (g + 1) & gi->gmask;
    }
    if (first < 0 || gi->count[first] >= gi->cap)
        return;
    gi->count[first]++;
    Py_ssize_t hits = gi->hits;
    gi->hit_j[hits] = start;
    gi->hit_next[hits] = -1;
    if (gi->tail[first] < 0)
        gi->head[first] = hits;
    else
        gi->hit_next[gi->tail[first]] = hits;
    gi->tail[first] = hits;
    gi->hits = hits + 1;
}

typedef struct {
    uint64_t key;
    Py_ssize_t id; /* -1: empty; -2: shared by two quote keys */
} direct_slot;

static PyObject *
exact_runs(PyObject *self, PyObject *args)
{
    PyObject *q, *s;
    Py_ssize_t k, q_offset, cap;
    if (!PyArg_ParseTuple(args, "O!Onnn:exact_runs", &PyList_Type, &q, &s, &k, &q_offset, &cap))
        return NULL;
    /* s is a list, or Words: then their keys stand for their hashes, and letters for equality. */
    WordsObject *lazy = Words_Check(s) ? (WordsObject *)s : NULL;
    if (lazy == NULL && !PyList_Check(s)) {
        PyErr_SetString(PyExc_TypeError, "exact_runs(): the source words are a list or Words");
        return NULL;
    }
    Py_ssize_t nq = PyList_GET_SIZE(q), n = lazy ? lazy->n : PyList_GET_SIZE(s);
    PyObject *out = PyList_New(0);
    if (out == NULL || k < 1 || nq < k || n < k || cap < 1)
        return out;
    size_t wsize = table_size(nq), gsize = table_size(nq);
    /* One block for every array (thirteen allocations were a tenth of a call on a short page):
     * the word table and the counts zeroed, the rest written before it is read. */
    if ((size_t)nq > PY_SSIZE_T_MAX / 256 || (size_t)n > PY_SSIZE_T_MAX / 64) {
        Py_DECREF(out);
        return PyErr_NoMemory();
    }
    size_t bytes = wsize * sizeof(word_slot) + 2 * gsize * sizeof(uint64_t) +
                   (size_t)nq * 8 * sizeof(Py_ssize_t) + (size_t)n * 3 * sizeof(Py_ssize_t);
    char *block = PyMem_Malloc(bytes);
    direct_slot *direct = NULL;
    int err = 0;
    if (block == NULL) {
        PyErr_NoMemory();
        err = 1;
        goto done;
    }
    char *next = block;
#define TAKE(type, name, items)                                                                    \
    type *name = (type *)next;                                                                     \
    next += (size_t)(items) * sizeof(type)
    TAKE(word_slot, words, wsize);
    TAKE(Py_ssize_t, gram_slot, gsize); /* a first quote start */
    TAKE(uint64_t, gram_key, gsize);
    TAKE(Py_ssize_t, count, nq);
    TAKE(Py_ssize_t, qid, nq);
    TAKE(Py_ssize_t, canon, nq); /* first start, same gram */
    TAKE(Py_ssize_t, qnext, nq); /* next start, same gram */
    TAKE(Py_ssize_t, qlast, nq); /* per first start */
    TAKE(Py_ssize_t, head, nq);  /* per first start */
    TAKE(Py_ssize_t, tail, nq);
    TAKE(PyObject *, idword, nq); /* per word id */
    TAKE(Py_ssize_t, sid, n);
    TAKE(Py_ssize_t, hit_j, n);
    TAKE(Py_ssize_t, hit_next, n);
#undef TAKE
    memset(words, 0, wsize * sizeof(word_slot));
    memset(count, 0, (size_t)nq * sizeof(Py_ssize_t));
    size_t wmask = wsize - 1, gmask = gsize - 1;
    /* The sieve holds the quote words' keys; it is used only if every quote word is an exact
     * str (another object may equal a str without sharing its length or letters). */
    uint64_t sieve[SIEVE_BITS / 64] = {0};
    int sieved = 1;
    /* The quote's distinct words, numbered. */
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < nq && !err; i++) {
        PyObject *w = PyList_GET_ITEM(q, i);
        if (lazy != NULL && !PyUnicode_CheckExact(w)) {
            PyErr_SetString(PyExc_TypeError, "exact_runs(): quote words are str");
            err = 1;
            break;
        }
        if (lazy == NULL) { /* Words have keys in place of the sieve */
            if (sievable(w)) {
                size_t key = sieve_key(w);
                sieve[key / 64] |= (uint64_t)1 << (key % 64);
            }
            else
                sieved = 0;
        }
        Py_hash_t h = lazy ? (Py_hash_t)str_key(w) : PyObject_Hash(w);
        if (h == -1 && !lazy) {
            err = 1;
            break;
        }
        size_t slot = lazy ? key_slot((uint64_t)h, wmask) : (size_t)h & wmask;
        Py_ssize_t at = word_probe(words, wmask, w, h, slot, &err);
        if (err)
            break;
        if (words[at].word == NULL) {
            words[at].word = w; /* borrowed: q holds it */
            words[at].hash = h;
            words[at].id = distinct++;
        }
        qid[i] = words[at].id;
    }
    if (err)
        goto done;
    /* The quote's k-grams: each start points at the first start of the same gram. */
    for (size_t g = 0; g < gsize; g++)
        gram_slot[g] = -1;
    Py_ssize_t starts = nq - k + 1;
    for (Py_ssize_t i = 0; i < starts; i++) {
        uint64_t key = gram_hash(qid + i, k);
        size_t g = (size_t)key & gmask;
        for (;;) {
            Py_ssize_t first = gram_slot[g];
            if (first < 0) {
                gram_slot[g] = i;
                gram_key[g] = key;
                canon[i] = qlast[i] = i;
                break;
            }
            if (gram_key[g] == key &&
                memcmp(qid + first, qid + i, (size_t)k * sizeof(Py_ssize_t)) == 0) {
                canon[i] = first;
                qnext[qlast[first]] = i;
                qlast[first] = i;
                break;
            }
            g = (g + 1) & gmask;
        }
        qnext[i] = head[i] = tail[i] = -1;
    }
    gram_index gi = {k, cap, gmask, qid, gram_slot, gram_key, count, head, tail, hit_j, hit_next,
                     0, 0, lazy, idword};
    /* Which source words the quote holds (-1: none of them). Words: through a direct table of
     * the quote words' keys, one slot a key and no probing, so a source word no quote word can
     * equal costs a load and a compare with no branch to mispredict (the probe of the table
     * above, whose slots are half full, cost three times as much). A slot two quote keys share
     * sends its source words to that probe. */
    if (lazy != NULL) {
        int dbits = 6;
        while (((Py_ssize_t)1 << dbits) < distinct * 8 && dbits < 40)
            dbits++;
        direct = PyMem_Malloc(((size_t)1 << dbits) * sizeof(direct_slot));
        if (direct == NULL) {
            PyErr_NoMemory();
            err = 1;
            goto done;
        }
        for (size_t d = 0; d < ((size_t)1 << dbits); d++) {
            direct[d].key = 0;
            direct[d].id = -1;
        }
        int dshift = 64 - dbits;
        for (size_t w = 0; w < wsize; w++) {
            if (words[w].word == NULL)
                continue;
            uint64_t key = (uint64_t)words[w].hash;
            direct_slot *e = &direct[(key * 0x9E3779B97F4A7C15ULL) >> dshift];
            if (e->id == -1) {
                e->key = key;
                e->id = words[w].id;
                idword[words[w].id] = words[w].word;
            }
            else
                e->id = -2;
        }
        const uint64_t *keys = lazy->keys;
        for (Py_ssize_t j = 0; j < n; j++) {
            uint64_t key = keys[j];
            const direct_slot *e = &direct[(key * 0x9E3779B97F4A7C15ULL) >> dshift];
            Py_ssize_t id;
            if (e->id == -2) {
                id = -1;
                Py_hash_t h = (Py_hash_t)key;
                for (size_t at = key_slot(key, wmask); words[at].word != NULL;
                     at = (at + 1) & wmask) {
                    if (words[at].hash == h &&
                        ((key & EXACT_KEY) || words_equals(lazy, j, words[at].word))) {
                        id = words[at].id;
                        break;
                    }
                }
            }
            else {
                id = e->key == key ? e->id : -1;
                if (id >= 0 && !(key & EXACT_KEY))
                    id = UNCHECKED(id);
            }
            sid[j] = id;
            note_source_word(&gi, sid, j);
        }
    }
    for (Py_ssize_t j = 0; lazy == NULL && j < n && !err; j++) {
        PyObject *w = PyList_GET_ITEM(s, j);
        if (sieved && sievable(w)) {
            size_t key = sieve_key(w);
            if (!(sieve[key / 64] >> (key % 64) & 1)) {
                sid[j] = -1;
                continue;
            }
        }
        Py_hash_t h = PyObject_Hash(w);
        if (h == -1) {
            err = 1;
            break;
        }
        Py_ssize_t at = word_probe(words, wmask, w, h, (size_t)h & wmask, &err);
        if (!err)
            sid[j] = words[at].word == NULL ? -1 : words[at].id;
    }
    if (err)
        goto done;
    /* Source starts where k words the quote holds follow each other, by gram. */
    for (Py_ssize_t j = 0; lazy == NULL && j < n; j++)
        note_source_word(&gi, sid, j);
    /* The runs, in the Python loop's order. */
    for (Py_ssize_t first = 0; first < starts && !err; first++) {
        if (canon[first] != first || head[first] < 0)
            continue;
        for (Py_ssize_t i = first; i >= 0 && !err; i = qnext[i]) {
            for (Py_ssize_t h = head[first]; h >= 0; h = hit_next[h]) {
                Py_ssize_t j = hit_j[h];
                if (i > 0 && j > 0 && qid[i - 1] == checked_id(&gi, sid, j - 1))
                    continue; /* not the start of a maximal run */
                Py_ssize_t length = k;
                while (i + length < nq && j + length < n &&
                       qid[i + length] == checked_id(&gi, sid, j + length))
                    length++;
                PyObject *run = Py_BuildValue("(nnn)", i + q_offset, j, length);
                if (run == NULL || PyList_Append(out, run) < 0)
                    err = 1;
                Py_XDECREF(run);
                if (err)
                    break;
            }
        }
    }
done:
    PyMem_Free(block);
    PyMem_Free(direct);
    if (err) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyMethodDef methods[] = {
    {"split_tokens", split_tokens, METH_O,
     "split_tokens(text) -> (words, starts, ends): TOKEN_RE's matches and their offsets "
     "(array('q'))."},
    {"split_words", split_words, METH_O,
     "split_words(text) -> (words, starts, ends, raw, non_ascii): split_tokens with the words "
     "normalised where no Unicode database is needed, as Words; raw lists the others' indices."},
    {"tokens_around", tokens_around, METH_VARARGS,
     "tokens_around(text, main_text, stretches, inner) -> split_words's result for text, made "
     "from inner (main_text's Words) where the stretches of main blocks stand, or None."},
    {"best_chain", best_chain, METH_VARARGS,
     "best_chain(runs, hint) -> bot.matcher._best_chain_python(runs, hint)."},
    {"exact_runs", exact_runs, METH_VARARGS,
     "exact_runs(q, s, k, q_offset, cap) -> list of (quote index + q_offset, source index, "
     "length): bot.matcher._exact_runs before its cut and sort; s is a list or Words."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "bot._fasttokens",
    "The word split of bot.textnorm and the exact runs of bot.matcher in C (see _fasttokens.c).",
    -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fasttokens(void)
{
    PyObject *array_module = PyImport_ImportModule("array");
    if (array_module == NULL)
        return NULL;
    array_type = PyObject_GetAttrString(array_module, "array");
    Py_DECREF(array_module);
    typecode_q = PyUnicode_InternFromString("q");
    if (array_type == NULL || typecode_q == NULL)
        return NULL;
    /* The offsets are copied in as int64_t: "q" must be exactly that. */
    PyObject *probe = PyObject_CallFunctionObjArgs(array_type, typecode_q, NULL);
    PyObject *size = probe ? PyObject_GetAttrString(probe, "itemsize") : NULL;
    Py_XDECREF(probe);
    if (size == NULL)
        return NULL;
    long itemsize = PyLong_AsLong(size);
    Py_DECREF(size);
    if (itemsize != (long)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ImportError, "array('q') is not 64-bit here");
        return NULL;
    }
    fill_ascii_class();
    if (PyType_Ready(&Words_Type) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module);
    if (mod != NULL && PyModule_AddObjectRef(mod, "Words", (PyObject *)&Words_Type) < 0)
        Py_CLEAR(mod);
    return mod;
}
