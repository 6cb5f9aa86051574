/*
 * The block walk of bot/extract.py (_Walker.walk) in C, over the lexbor tree that selectolax
 * parsed, and the other page-wide passes of extraction. Why: the walk visits every node of a
 * page and was half of a whole check's time in Python (about 0.7 us a node).
 *
 * What stays in Python: tag facts (made once at start for the names lexbor has fixed ids for,
 * asked once per walk for others), boilerplate marks of non-ASCII class and id values, hidden
 * styles and aria-hidden values that are not ASCII, hover cards' class test when the popup
 * words do not fit, and the white space of <pre> blocks. The rest (the per-node loop, the ASCII
 * marks, the folding of blocks with and without <br>, the main-content marking, the page's
 * blocks and texts, the one scan of the tree for <meta>s, links, JSON-LD and the metadata's
 * element questions, and the unclosed-tag count) is here.
 *
 * The tree is reached through functions lexbor exports from selectolax's own extension module
 * (dlopen with RTLD_NOLOAD: the module Python already loaded, never a second copy), and by
 * reading lexbor's structures directly where a call per field cost too much: a node's links,
 * tag id, type, namespace, local name and prefix, a text node's character data (as selectolax
 * itself reads it), an element's first attribute, an attribute's next one, value and qualified
 * name, and where a selectolax node keeps its lexbor node and its parser (found on a node
 * selectolax made). check_layout() compares the direct reads with lexbor's own functions on a
 * sample tree before anything walks a tree; the Python side only uses this module with the
 * selectolax version it was checked against, and compares its output with the Python code on
 * sample pages before trusting it.
 *
 * The semantics are those of the Python code, line for line; tests/test_fastwalk.py and
 * tests/test_metadata_speed_equivalence.py compare the two on generated, hand-written and
 * corpus pages.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------ lexbor, as exported */

typedef struct {
    unsigned char *data;
    size_t length;
} vb_str;

/* lxb_dom_node_t up to its last field, then lxb_dom_character_data_t's text. */
typedef struct {
    void *event_target;
    uintptr_t local_name, prefix, ns;
    void *owner_document;
    void *next, *prev, *parent, *first_child, *last_child;
    void *user;
    int type;
} vb_node;

typedef struct {
    vb_node node;
    vb_str data;
} vb_chardata;

/* lxb_dom_element_t up to its attribute list, and lxb_dom_attr_t up to its next attribute. */
typedef struct {
    vb_node node;
    uintptr_t upper_name, qualified_name;
    void *is_value;
    void *first_attr;
} vb_element;

typedef struct {
    vb_node node;
    uintptr_t upper_name, qualified_name;
    vb_str *value;
    void *owner;
    void *next;
} vb_attr;

_Static_assert(offsetof(vb_chardata, data) == 96, "lexbor character data layout");

typedef void *(*node_fn)(void *);
typedef uintptr_t (*tag_id_fn)(void *);
typedef int (*type_fn)(void *);
typedef const unsigned char *(*name_fn)(void *, size_t *);

/* lexbor's accessors, as exported; the walks read the same fields directly (below), once
 * check_layout() has compared the two on every node of a sample tree. */
static node_fn lxb_first_child, lxb_next_sibling, lxb_parent_of, lxb_first_attr, lxb_next_attr;
static tag_id_fn lxb_tag_id_of;
static type_fn lxb_type_of;
static int symbols_found = 0; /* bind() found lexbor's functions */

/* A node's tag id is its local name; the rest are the fields of the same names. */
static inline void *
first_child(void *node)
{
    return ((vb_node *)node)->first_child;
}

static inline void *
next_sibling(void *node)
{
    return ((vb_node *)node)->next;
}

static inline void *
parent_of(void *node)
{
    return ((vb_node *)node)->parent;
}

static inline uintptr_t
tag_id_of(void *node)
{
    return ((vb_node *)node)->local_name;
}

static inline int
type_of(void *node)
{
    return ((vb_node *)node)->type;
}

static inline void *
first_attr(void *element)
{
    return ((vb_element *)element)->first_attr;
}

static inline void *
next_attr(void *attr)
{
    return ((vb_attr *)attr)->next;
}

/* An attribute's value (NULL with *len 0 when it has none). */
static inline const unsigned char *
attr_value(void *attr, size_t *len)
{
    vb_str *value = ((vb_attr *)attr)->value;
    if (value == NULL) {
        *len = 0;
        return NULL;
    }
    *len = value->length;
    return value->data;
}
static name_fn element_name, attr_name, lxb_attr_value;
typedef const unsigned char *(*name_by_id_fn)(uintptr_t, size_t *);
static name_by_id_fn name_by_id;
static int bound = 0;

/* Node types and tag ids of lexbor (lexbor/dom/interfaces/node.h, lexbor/tag/const.h). */
#define NODE_ELEMENT 1
#define TAG_TEXT 2
#define TAG_DOCUMENT 3
#define TAG_COMMENT 4
#define TAG_DOCTYPE 5

/* ------------------------------------------------------------------ Python-side helpers */

/* Set by configure(): the functions and classes of bot/extract.py the walk calls. */
static PyObject *tag_info_fn;   /* _tag_info(name) -> (action, block, link, kind, boiler, cand) */
static PyObject *block_info_fn; /* _block_marks(tag, class, id, role, itemprop) -> (boiler, cand) */
static PyObject *popup_fn;      /* _popup_class(class) -> bool */
static PyObject *hidden_fn;     /* _hidden_by(aria_hidden, style) -> bool */
/* Records are plain tuples, as _Elem and _RawBlock (named tuples) lay them out:
 * (parent, boiler, candidate) and (text, kind, elem, link_chars, aside). */
enum { ELEM_PARENT, ELEM_BOILER, ELEM_CANDIDATE, ELEM_FIELDS };
enum { BLOCK_TEXT, BLOCK_KIND, BLOCK_ELEM, BLOCK_LINK_CHARS, BLOCK_ASIDE, BLOCK_FIELDS };

/* _POPUP_WORDS, searched in the class value's UTF-8 bytes with ASCII case folded. That equals
 * `word in value.lower()` for words of ASCII lowercase letters without "k" that do not end in
 * "i": the only non-ASCII characters whose lower() holds ASCII are U+212A (-> "k") and U+0130
 * (-> "i" + U+0307). Other words go to popup_fn. */
#define MAX_POPUP_WORDS 16
static char popup_words[MAX_POPUP_WORDS][32];
static size_t popup_lens[MAX_POPUP_WORDS];
static int n_popup_words = -1; /* -1: call popup_fn */

/* Kinds as small codes; KIND_NONE is a tag without a kind of its own. */
enum { KIND_NONE = -1, KIND_OTHER = 0, KIND_QUOTE, KIND_CAPTION, KIND_PRE, KIND_FIXED };
static const char *const fixed_kinds[] = {"other", "quote", "caption", "pre"};
#define MAX_KINDS 32
static PyObject *kind_names[MAX_KINDS];
static int n_kinds = 0;

#define ACTION_SKIP 0
#define ACTION_BR 1
#define ACTION_ELEMENT 2

static int
kind_code(PyObject *kind)
{
    if (kind == Py_None)
        return KIND_NONE;
    for (int i = 0; i < n_kinds; i++) {
        if (kind_names[i] == kind)
            return i;
        int cmp = PyUnicode_Compare(kind_names[i], kind);
        if (cmp == 0)
            return i;
        if (cmp == -1 && PyErr_Occurred())
            return -2;
    }
    if (n_kinds >= MAX_KINDS) {
        PyErr_SetString(PyExc_ValueError, "too many block kinds");
        return -2;
    }
    Py_INCREF(kind);
    kind_names[n_kinds] = kind;
    return n_kinds++;
}

static int
sticky(int kind)
{
    return kind == KIND_QUOTE || kind == KIND_CAPTION || kind == KIND_PRE;
}

/* What the walk needs of a tag, unpacked from _tag_info's tuple. */
typedef struct {
    const unsigned char *name; /* lexbor's name pointer: the cache key within one document */
    size_t name_len;
    PyObject *tag;             /* the name as str (owned) */
    PyObject *boiler;          /* bool (owned) */
    PyObject *candidate;       /* str or None (owned) */
    int action, is_block, is_link, kind;
} tag_facts;

/* Tag names live in lexbor's tables or the document's hash: their pointers are stable while the
 * document lives, so one walk caches facts by pointer. */
#define FACTS_SLOTS 512
typedef struct {
    tag_facts slot[FACTS_SLOTS];
    int used;
} facts_cache;

static void
facts_clear(facts_cache *cache)
{
    for (int i = 0; i < FACTS_SLOTS; i++) {
        tag_facts *f = &cache->slot[i];
        if (f->name != NULL || f->tag != NULL) {
            Py_CLEAR(f->tag);
            Py_CLEAR(f->boiler);
            Py_CLEAR(f->candidate);
            f->name = NULL;
        }
    }
}

static int
facts_fill(tag_facts *f, const unsigned char *name, size_t len)
{
    PyObject *tag = PyUnicode_DecodeUTF8((const char *)name, (Py_ssize_t)len, "replace");
    if (tag == NULL)
        return -1;
    PyObject *info = PyObject_CallOneArg(tag_info_fn, tag);
    if (info == NULL) {
        Py_DECREF(tag);
        return -1;
    }
    if (!PyTuple_Check(info) || PyTuple_GET_SIZE(info) != 6) {
        Py_DECREF(tag);
        Py_DECREF(info);
        PyErr_SetString(PyExc_TypeError, "_tag_info must return a 6-tuple");
        return -1;
    }
    long action = PyLong_AsLong(PyTuple_GET_ITEM(info, 0));
    int is_block = PyObject_IsTrue(PyTuple_GET_ITEM(info, 1));
    int is_link = PyObject_IsTrue(PyTuple_GET_ITEM(info, 2));
    int kind = kind_code(PyTuple_GET_ITEM(info, 3));
    if ((action == -1 && PyErr_Occurred()) || is_block < 0 || is_link < 0 || kind == -2) {
        Py_DECREF(tag);
        Py_DECREF(info);
        return -1;
    }
    f->name = name;
    f->name_len = len;
    f->tag = tag;
    f->boiler = Py_NewRef(PyTuple_GET_ITEM(info, 4));
    f->candidate = Py_NewRef(PyTuple_GET_ITEM(info, 5));
    f->action = (int)action;
    f->is_block = is_block;
    f->is_link = is_link;
    f->kind = kind;
    Py_DECREF(info);
    return 0;
}

/* The facts of the HTML tag names lexbor knows (its static tag ids), made once by
 * configure_tags: a page's walk would otherwise ask Python for each tag name it meets. An
 * element uses them only when its name is lexbor's own name for its id (an SVG element written
 * "foreignObject" has a name of its own, and goes through the walk's cache). */
#define KNOWN_IDS 256
static tag_facts known_facts[KNOWN_IDS];

/* The facts of an element's tag, or NULL with an exception set; *skip when it has no name. */
static tag_facts *
facts_of(facts_cache *cache, tag_facts *spare, void *node, int *skip)
{
    size_t len = 0;
    const unsigned char *name = element_name(node, &len);
    *skip = 0;
    if (name == NULL) {
        *skip = 1;
        return NULL;
    }
    uintptr_t id = tag_id_of(node);
    if (id < KNOWN_IDS && known_facts[id].name == name && known_facts[id].name_len == len)
        return &known_facts[id];
    size_t h = ((uintptr_t)name >> 3) * 2654435761u;
    for (int probe = 0; probe < 16; probe++) {
        tag_facts *f = &cache->slot[(h + probe) % FACTS_SLOTS];
        if (f->name == name && f->name_len == len)
            return f;
        if (f->name == NULL) {
            if (cache->used >= FACTS_SLOTS / 2)
                break;
            if (facts_fill(f, name, len) < 0)
                return NULL;
            cache->used++;
            return f;
        }
    }
    /* A page with very many distinct tags: facts for this node alone. */
    Py_CLEAR(spare->tag);
    Py_CLEAR(spare->boiler);
    Py_CLEAR(spare->candidate);
    if (facts_fill(spare, name, len) < 0)
        return NULL;
    return spare;
}

/* ------------------------------------------------------------------ text helpers */

/* The code point at p (n > 0 bytes left) and, in *step, its length in bytes. lexbor hands over
 * valid UTF-8; a byte that starts no valid sequence reads as U+FFFD, as decoding with
 * "replace" would read it (neither is white space, which is all the walk asks of it). */
static Py_UCS4
utf8_at(const unsigned char *p, size_t n, size_t *step)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        *step = 1;
        return c;
    }
    size_t need;
    Py_UCS4 cp, least;
    if ((c & 0xE0) == 0xC0) {
        need = 2, cp = c & 0x1F, least = 0x80;
    }
    else if ((c & 0xF0) == 0xE0) {
        need = 3, cp = c & 0x0F, least = 0x800;
    }
    else if ((c & 0xF8) == 0xF0) {
        need = 4, cp = c & 0x07, least = 0x10000;
    }
    else {
        *step = 1;
        return 0xFFFD;
    }
    if (need > n) {
        *step = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *step = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *step = 1;
        return 0xFFFD;
    }
    *step = need;
    return cp;
}

/* The white space of str.split() and re's \s: Py_UNICODE_ISSPACE. */
static inline int
space_at(const unsigned char *p, size_t n, size_t *step)
{
    if (p[0] < 0x80) {
        *step = 1;
        return Py_UNICODE_ISSPACE(p[0]);
    }
    return Py_UNICODE_ISSPACE(utf8_at(p, n, step));
}

/* text.isspace() of non-empty UTF-8. */
static int
all_space(const unsigned char *p, size_t n)
{
    size_t i = 0, step;
    while (i < n) {
        if (!space_at(p + i, n - i, &step))
            return 0;
        i += step;
    }
    return 1;
}

/* len(text) of UTF-8: its code points. */
static Py_ssize_t
utf8_length(const unsigned char *p, size_t n)
{
    Py_ssize_t count = 0;
    size_t i = 0, step;
    while (i < n) {
        if (p[i] < 0x80)
            step = 1;
        else
            (void)utf8_at(p + i, n - i, &step);
        i += step;
        count++;
    }
    return count;
}

/* len(re.sub(r"\s+", " ", text)) of UTF-8: runs of white space count as one character. */
static Py_ssize_t
folded_length(const unsigned char *p, size_t n)
{
    Py_ssize_t count = 0;
    size_t i = 0, step;
    int in_space = 0;
    while (i < n) {
        int space = space_at(p + i, n - i, &step);
        if (!space || !in_space)
            count++;
        in_space = space;
        i += step;
    }
    return count;
}

static PyObject *
decode(const unsigned char *data, size_t len)
{
    return PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)len, "replace");
}

/* The invisible characters _drop_invisible removes (bot/extract.py's _DROP_STR). */
static inline int
dropped(Py_UCS4 cp)
{
    return cp == 0x00AD || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF;
}

/* _drop_invisible(" ".join(text.split())).strip() of UTF-8 into out (room for n bytes): its
 * length. A dropped character still ends a run of white space, as it does when Python folds
 * first and drops after ("a \u00ad b" keeps two spaces). */
static size_t
fold_spaces(const unsigned char *p, size_t n, unsigned char *out)
{
    size_t i = 0, o = 0, step;
    int pending = 0;
    while (i < n) {
#ifdef __SSE2__
        /* The bytes that are their own folding, up to sixteen at once: printable ASCII, and a
         * space between two such bytes (not first when the output is empty or ends in a space
         * to come). Room: o <= i, and o < i when pending. */
        while (i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            /* bytes below 0x20 and, as negative bytes, those of 0x80 and above */
            unsigned low = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
            unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x20)));
            unsigned stop = low | (sp & (((sp | low) >> 1) | 0x8000));
            if (pending || o == 0)
                stop |= sp & 1;
            unsigned j = (unsigned)__builtin_ctz(stop | 0x10000);
            if (j == 0)
                break;
            if (pending) {
                out[o++] = ' ';
                pending = 0;
            }
            _mm_storeu_si128((__m128i *)(out + o), v);
            o += j;
            i += j;
        }
        if (i >= n)
            break;
#endif
        if ((unsigned char)(p[i] - 0x21) < 0x5F) {
            /* A run of printable ASCII (neither space nor dropped), copied as it is: most of a
             * page's text, a byte at a time through the test below was half of emit(). */
            if (pending) {
                out[o++] = ' ';
                pending = 0;
            }
            do
                out[o++] = p[i++];
            while (i < n && (unsigned char)(p[i] - 0x21) < 0x5F);
            continue;
        }
        if (p[i] < 0x80) {
            step = 1;
            if (Py_UNICODE_ISSPACE(p[i])) {
                pending = o > 0;
            }
            else {
                if (pending) {
                    out[o++] = ' ';
                    pending = 0;
                }
                out[o++] = p[i];
            }
        }
        else {
            Py_UCS4 cp = utf8_at(p + i, n - i, &step);
            if (Py_UNICODE_ISSPACE(cp)) {
                pending = o > 0;
            }
            else {
                if (pending) {
                    out[o++] = ' ';
                    pending = 0;
                }
                if (!dropped(cp)) {
                    memcpy(out + o, p + i, step);
                    o += step;
                }
            }
        }
        i += step;
    }
    while (o > 0 && out[o - 1] == ' ') /* a dropped character last, after a space */
        o--;
    return o;
}

/* ------------------------------------------------------------------ the running text */

/* A piece of the running text: a text node's bytes, or a <br> outside <pre> (None in the
 * Python walk's parts). */
typedef struct {
    size_t off, len;
    int br;
} run_piece;

/* The running text of the current block, kept as UTF-8 until the block ends. Why: a Python
 * string for every text node, joined and split again at the block's end, was most of the
 * walk's time; one string a block is made now. */
typedef struct {
    unsigned char *buf;
    size_t len, cap;
    run_piece *pieces;
    Py_ssize_t n_pieces, cap_pieces;
    int has_br;
    Py_ssize_t link_chars;
    int solid; /* it holds more than white space (else it makes no block) */
} run_text;

static void
run_clear(run_text *r)
{
    r->len = 0;
    r->n_pieces = 0;
    r->has_br = 0;
    r->link_chars = 0;
    r->solid = 0;
}

static void
run_free(run_text *r)
{
    PyMem_Free(r->buf);
    PyMem_Free(r->pieces);
    memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ the walk */

typedef struct {
    void *node; /* the element whose leaving restores this context */
    Py_ssize_t prev_elem;
    int prev_kind, prev_pre;
    char is_block, was_link, was_popup, card;
} frame;

typedef struct {
    PyObject *walker_emit; /* the walker's Python emit, for <br> and <pre> blocks */
    PyObject *elems, *blocks;
    run_text run;
    unsigned char *folded; /* room for the current block's folded text */
    size_t folded_cap;
    Py_ssize_t elem;
    int kind, pre;
    long in_link, popups;
    frame *frames;
    Py_ssize_t n_frames, cap_frames;
    run_text *saved; /* running texts set aside in hover cards */
    Py_ssize_t n_saved, cap_saved;
    struct attr_cache *attr_names; /* attribute kinds by name id, for this walk's document */
    struct class_memo *classes;    /* what each distinct class value says, for this walk */
    /* The last element whose class the walk looked up, its class value and memo entry: the
     * metadata scan of the same element (walk_scan) takes its class parts from the entry. */
    void *classed_node;
    const unsigned char *classed_value;
    struct class_entry *classed_entry;
} walk_state;

/* Room for one more item in a growing array (*items holds *cap items of ``size`` bytes). */
static int
make_room(void **items, Py_ssize_t used, Py_ssize_t *cap, size_t size, Py_ssize_t first)
{
    if (used < *cap)
        return 0;
    Py_ssize_t grown_cap = *cap ? *cap * 2 : first;
    void *grown = PyMem_Realloc(*items, (size_t)grown_cap * size);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *items = grown;
    *cap = grown_cap;
    return 0;
}

/* Room for n more bytes in a growing buffer. */
static int
byte_room(unsigned char **buf, size_t used, size_t *cap, size_t n)
{
    if (used + n <= *cap)
        return 0;
    size_t grown_cap = *cap ? *cap : 256;
    while (grown_cap < used + n)
        grown_cap *= 2;
    unsigned char *grown = PyMem_Realloc(*buf, grown_cap);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = grown;
    *cap = grown_cap;
    return 0;
}

/* parts.append(...): a text node's bytes, or (data NULL) a <br> outside <pre>. */
static int
run_append(run_text *r, const unsigned char *data, size_t len)
{
    if (make_room((void **)&r->pieces, r->n_pieces, &r->cap_pieces, sizeof(run_piece), 16) < 0)
        return -1;
    run_piece *piece = &r->pieces[r->n_pieces++];
    piece->off = r->len;
    piece->len = data == NULL ? 0 : len;
    piece->br = data == NULL;
    if (data == NULL) {
        r->has_br = 1;
        return 0;
    }
    if (byte_room(&r->buf, r->len, &r->cap, len) < 0)
        return -1;
    memcpy(r->buf + r->len, data, len);
    r->len += len;
    return 0;
}

/* The running text as the Python walk's parts: a list of str, and None for each <br>. */
static PyObject *
run_parts(run_text *r)
{
    PyObject *parts = PyList_New(r->n_pieces);
    if (parts == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < r->n_pieces; i++) {
        run_piece *piece = &r->pieces[i];
        PyObject *item =
            piece->br ? Py_NewRef(Py_None) : decode(r->buf + piece->off, piece->len);
        if (item == NULL) {
            Py_DECREF(parts);
            return NULL;
        }
        PyList_SET_ITEM(parts, i, item);
    }
    return parts;
}

/* What _Walker.emit makes of a block with line breaks (not <pre>), on its UTF-8 pieces: white
 * space folded to one space, a <br> a line break with the spaces around it gone, invisible
 * characters dropped last (still ending a run of spaces, as in Python), the ends stripped.
 * Returns the length written to out (room for the text's bytes plus one per piece). */
static size_t
fold_with_breaks(const unsigned char *p, const run_piece *pieces, Py_ssize_t n_pieces,
                 unsigned char *out)
{
    size_t o = 0, step;
    int pending = 0, after_break = 0;
    for (Py_ssize_t k = 0; k < n_pieces; k++) {
        const run_piece *piece = &pieces[k];
        if (piece->br) {
            pending = 0; /* " *\n *" -> "\n": no space before a break ... */
            out[o++] = '\n';
            after_break = 1; /* ... nor after it */
            continue;
        }
        const unsigned char *q = p + piece->off;
        size_t i = 0, n = piece->len;
        while (i < n) {
            if ((unsigned char)(q[i] - 0x21) < 0x5F) { /* printable ASCII, as in fold_spaces */
                if (pending)
                    out[o++] = ' ';
                pending = after_break = 0;
                do
                    out[o++] = q[i++];
                while (i < n && (unsigned char)(q[i] - 0x21) < 0x5F);
                continue;
            }
            Py_UCS4 cp;
            if (q[i] < 0x80) {
                step = 1;
                cp = q[i];
            }
            else {
                cp = utf8_at(q + i, n - i, &step);
            }
            if (Py_UNICODE_ISSPACE(cp)) {
                if (!after_break)
                    pending = 1;
            }
            else {
                if (pending)
                    out[o++] = ' ';
                pending = after_break = 0;
                if (!dropped(cp)) {
                    memcpy(out + o, q + i, step);
                    o += step;
                }
            }
            i += step;
        }
    }
    /* strip(): only spaces and line breaks are left as white space */
    size_t start = 0;
    while (start < o && (out[start] == ' ' || out[start] == '\n'))
        start++;
    while (o > start && (out[o - 1] == ' ' || out[o - 1] == '\n'))
        o--;
    if (start > 0)
        memmove(out, out + start, o - start);
    return o - start;
}

/* _Walker.emit: blocks outside <pre> here, <pre> blocks in Python. */
static int
emit(walk_state *st, int kind, int aside)
{
    run_text *r = &st->run;
    PyObject *kind_name = kind_names[kind < 0 ? KIND_OTHER : kind];
    PyObject *text;
    if (st->pre) {
        PyObject *parts = run_parts(r);
        if (parts == NULL)
            return -1;
        PyObject *res = PyObject_CallFunction(
            st->walker_emit, "OnnOOO", parts, r->link_chars, st->elem, kind_name,
            st->pre ? Py_True : Py_False, aside ? Py_True : Py_False);
        Py_DECREF(parts);
        if (res == NULL)
            return -1;
        Py_DECREF(res);
        return 0;
    }
    /* " ".join("".join(parts).split()), or the same with line breaks, on the bytes. */
    if (byte_room(&st->folded, 0, &st->folded_cap, r->len + (size_t)r->n_pieces + 1) < 0)
        return -1;
    size_t n = r->has_br ? fold_with_breaks(r->buf, r->pieces, r->n_pieces, st->folded)
                         : fold_spaces(r->buf, r->len, st->folded);
    text = decode(st->folded, n);
    if (text == NULL)
        return -1;
    int rc = 0;
    if (PyUnicode_GET_LENGTH(text) > 0) {
        PyObject *elem = PyLong_FromSsize_t(st->elem);
        PyObject *link_chars = elem ? PyLong_FromSsize_t(r->link_chars) : NULL;
        PyObject *block = NULL;
        if (link_chars != NULL)
            block = PyTuple_Pack(BLOCK_FIELDS, text, kind_name, elem, link_chars,
                                 aside ? Py_True : Py_False);
        Py_XDECREF(elem);
        Py_XDECREF(link_chars);
        if (block == NULL || PyList_Append(st->blocks, block) < 0)
            rc = -1;
        Py_XDECREF(block);
    }
    Py_DECREF(text);
    return rc;
}

/* If the running text is not empty, end it: a block if it holds more than white space. */
static int
flush(walk_state *st, int kind, int aside)
{
    if (st->run.n_pieces == 0)
        return 0;
    if (st->run.solid && emit(st, kind, aside) < 0)
        return -1;
    run_clear(&st->run);
    return 0;
}

static int
push_frame(walk_state *st, frame fr)
{
    if (make_room((void **)&st->frames, st->n_frames, &st->cap_frames, sizeof(frame), 64) < 0)
        return -1;
    st->frames[st->n_frames++] = fr;
    return 0;
}

/* Set the running text aside (a hover card starts) and start an empty one. */
static int
push_saved(walk_state *st)
{
    if (make_room((void **)&st->saved, st->n_saved, &st->cap_saved, sizeof(run_text), 8) < 0)
        return -1;
    st->saved[st->n_saved++] = st->run; /* its buffers move to the saved entry */
    memset(&st->run, 0, sizeof(st->run));
    return 0;
}

/* Leaving an element that changed the context (the tuple entries of the Python walk). */
static int
leave(walk_state *st)
{
    frame fr = st->frames[--st->n_frames];
    if (fr.is_block && flush(st, st->kind, st->n_saved > 0) < 0)
        return -1;
    if (fr.card) {
        if (st->run.solid && emit(st, KIND_OTHER, 1) < 0)
            return -1;
        run_free(&st->run);
        st->run = st->saved[--st->n_saved];
    }
    st->elem = fr.prev_elem;
    st->kind = fr.prev_kind;
    st->pre = fr.prev_pre;
    st->in_link -= fr.was_link;
    st->popups -= fr.was_popup;
    return 0;
}

/* The attributes the walk reads, as lexbor attribute handles (NULL: absent). */
typedef struct {
    int any;
    void *hidden, *aria_hidden, *style, *cls, *id, *role, *itemprop;
} attr_set;

enum { A_NONE = -1, A_ID, A_ROLE, A_CLASS, A_STYLE, A_HIDDEN, A_ITEMPROP, A_ARIA_HIDDEN };

/* Which of the attributes the walk reads this one is, by its name (A_NONE: none of them). */
static int
attr_kind_by_name(void *attr)
{
    size_t len = 0;
    const unsigned char *name = attr_name(attr, &len);
    if (name == NULL)
        return A_NONE;
    switch (len) {
    case 2:
        return memcmp(name, "id", 2) == 0 ? A_ID : A_NONE;
    case 4:
        return memcmp(name, "role", 4) == 0 ? A_ROLE : A_NONE;
    case 5:
        if (memcmp(name, "class", 5) == 0)
            return A_CLASS;
        return memcmp(name, "style", 5) == 0 ? A_STYLE : A_NONE;
    case 6:
        return memcmp(name, "hidden", 6) == 0 ? A_HIDDEN : A_NONE;
    case 8:
        return memcmp(name, "itemprop", 8) == 0 ? A_ITEMPROP : A_NONE;
    case 11:
        return memcmp(name, "aria-hidden", 11) == 0 ? A_ARIA_HIDDEN : A_NONE;
    }
    return A_NONE;
}

/* attr_kind_by_name by the attribute's local name id, for one walk (one document). An attribute
 * without a qualified name of its own and without a prefix is named by its local name, and one
 * name has one id in a document (a static id, or its entry in the document's name table): asking
 * lexbor once per id spares a name lookup per attribute. */
#define ATTR_CACHE 128
typedef struct attr_cache {
    uintptr_t id[ATTR_CACHE]; /* 0: empty */
    signed char kind[ATTR_CACHE];
} attr_cache;

static int
attr_kind(attr_cache *cache, void *attr)
{
    vb_attr *at = (vb_attr *)attr;
    uintptr_t id = at->node.local_name;
    if (cache == NULL || id == 0 || at->qualified_name != 0 || at->node.prefix != 0)
        return attr_kind_by_name(attr);
    size_t h = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 57);
    for (int probe = 0; probe < 8; probe++, h = (h + 1) % ATTR_CACHE) {
        if (cache->id[h] == id)
            return cache->kind[h];
        if (cache->id[h] == 0) {
            int kind = attr_kind_by_name(attr);
            cache->id[h] = id;
            cache->kind[h] = (signed char)kind;
            return kind;
        }
    }
    return attr_kind_by_name(attr); /* a crowded stretch of the cache */
}

static void
read_attrs(void *node, attr_set *a, attr_cache *cache)
{
    memset(a, 0, sizeof(*a));
    for (void *attr = first_attr(node); attr != NULL; attr = next_attr(attr)) {
        a->any = 1;
        switch (attr_kind(cache, attr)) {
        case A_ID:
            a->id = attr;
            break;
        case A_ROLE:
            a->role = attr;
            break;
        case A_CLASS:
            a->cls = attr;
            break;
        case A_STYLE:
            a->style = attr;
            break;
        case A_HIDDEN:
            a->hidden = attr;
            break;
        case A_ITEMPROP:
            a->itemprop = attr;
            break;
        case A_ARIA_HIDDEN:
            a->aria_hidden = attr;
            break;
        }
    }
}

/* ASCII letters to lower case, every other byte as it is. */
static inline unsigned char
ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ------------------------------------------------------------------ word filters
 *
 * Looking for a few dozen words in class and id values was more than half of the walk's time
 * when every position was compared with each word of the same first letter. A filter tells, from
 * a byte and the byte after it, which words can start there: a bit for each word (the words past
 * the 63rd share the last bit), so most positions are passed with two loads and an AND. The
 * words are lower-case ASCII letters; a folding filter also takes the text's upper-case letters
 * for them. */
#define MAX_FILTER_WORDS 512 /* keep and boilerplate words: two lists of MAX_MARK_WORDS */
#define FILTER_BITS 64
typedef struct {
    int n;
    const char *word[MAX_FILTER_WORDS]; /* owned by marks_owner or popup_words */
    size_t len[MAX_FILTER_WORDS];
    unsigned char tag[MAX_FILTER_WORDS]; /* what the word says (scan_words: 1 keep, 2 boiler) */
    uint64_t first[256], second[256];    /* the words by their first and by their second byte */
    uint64_t one;                        /* the words of one letter */
} word_filter;

static void
filter_clear(word_filter *f)
{
    memset(f, 0, sizeof(*f));
}

/* Adds a word (1 to 31 lower-case ASCII letters, checked by the caller); 0 when full. */
static int
filter_add(word_filter *f, const char *word, size_t len, unsigned char tag, int fold)
{
    if (f->n >= MAX_FILTER_WORDS || len == 0)
        return 0;
    int i = f->n++;
    f->word[i] = word;
    f->len[i] = len;
    f->tag[i] = tag;
    uint64_t bit = (uint64_t)1 << (i < FILTER_BITS - 1 ? i : FILTER_BITS - 1);
    unsigned char c0 = (unsigned char)word[0];
    f->first[c0] |= bit;
    if (fold)
        f->first[c0 - 'a' + 'A'] |= bit;
    if (len == 1) {
        f->one |= bit;
    }
    else {
        unsigned char c1 = (unsigned char)word[1];
        f->second[c1] |= bit;
        if (fold)
            f->second[c1 - 'a' + 'A'] |= bit;
    }
    return 1;
}

/* The bits of the words that may start at p[i], n bytes in all. */
static inline uint64_t
filter_at(const word_filter *f, const unsigned char *p, size_t n, size_t i)
{
    uint64_t m = f->first[p[i]];
    if (m == 0)
        return 0;
    return m & (f->one | (i + 1 < n ? f->second[p[i + 1]] : 0));
}

/* The words a bit of filter_at stands for: [*from, *to). */
static inline void
filter_words_of(const word_filter *f, int bit, int *from, int *to)
{
    *from = bit;
    *to = bit < FILTER_BITS - 1 ? bit + 1 : f->n;
}

/* Whether word w stands at p[i] (n bytes in all), ASCII case folded when ``fold``. */
static inline int
filter_word_at(const word_filter *f, int w, const unsigned char *p, size_t n, size_t i, int fold)
{
    size_t len = f->len[w];
    if (n - i < len)
        return 0;
    if (!fold)
        return memcmp(p + i, f->word[w], len) == 0;
    for (size_t j = 0; j < len; j++)
        if (ascii_lower(p[i + j]) != (unsigned char)f->word[w][j])
            return 0;
    return 1;
}

/* The first word of the filter found in p[0:n) (ASCII case folded when ``fold``): its index,
 * or -1. */
static int
filter_find(const word_filter *f, const unsigned char *p, size_t n, int fold)
{
    for (size_t i = 0; i < n; i++) {
        for (uint64_t m = filter_at(f, p, n, i); m != 0; m &= m - 1) {
            int from, to;
            filter_words_of(f, __builtin_ctzll(m), &from, &to);
            for (int w = from; w < to; w++)
                if (filter_word_at(f, w, p, n, i, fold))
                    return w;
        }
    }
    return -1;
}

static word_filter popup_filter; /* _POPUP_WORDS, folding */

/* An attribute's value as the Python walk sees it: None when absent or valueless. */
static PyObject *
value_of(void *attr)
{
    if (attr == NULL)
        Py_RETURN_NONE;
    size_t len = 0;
    const unsigned char *value = attr_value(attr, &len);
    if (value == NULL)
        Py_RETURN_NONE;
    return decode(value, len);
}

static int
truth_of_call(PyObject *result)
{
    if (result == NULL)
        return -1;
    int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
}

static int
contains_folded(const unsigned char *hay, size_t n, const char *word, size_t len)
{
    if (len == 0)
        return 1;
    for (size_t i = 0; i + len <= n; i++) {
        size_t j = 0;
        while (j < len) {
            if (ascii_lower(hay[i + j]) != (unsigned char)word[j])
                break;
            j++;
        }
        if (j == len)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ class values, once each
 *
 * A page repeats its class values (a median page gives about half its classed elements a value
 * another element has), and every classed element asks whether its class names a popup, and
 * every classed block what its words say. The answers depend on the value alone, so one walk
 * works each out once per distinct value. A value is found by its length, a hash of its bytes
 * and a comparison of the bytes; the stored bytes are the first such attribute's, which live as
 * long as the tree the walk reads. A few probes only: past them (a crowded table, or values
 * made to share a slot) the answer is worked out again, as it was before. */
#define CLASS_MEMO 512 /* slots, a power of two */
#define CLASS_MEMO_FILL 384
#define CLASS_PROBES 8
#define UNKNOWN (-2)

typedef struct class_entry {
    const unsigned char *value; /* NULL: an empty slot */
    uint32_t len, hash;
    uint32_t parts;      /* the metadata scan's class parts (parts_found), once has_parts */
    signed char has_parts;
    signed char popup;   /* is_popup_class, or UNKNOWN */
    signed char ascii;   /* ascii_only, or UNKNOWN */
    signed char words;   /* scan_words flags of value[:400]: 1 keep, 2 boiler; or UNKNOWN */
    signed char content; /* marks_content: -1 (Python decides), 0, 1; or UNKNOWN */
} class_entry;

typedef struct class_memo {
    class_entry slot[CLASS_MEMO];
    int used;
} class_memo;

static uint32_t
bytes_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 29;
    h *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h >> 32);
}

/* The memo's entry for the class attribute's value, a new one if need be; NULL when the value
 * is absent or too long to key, the memo is off (NULL), or the probes found no room. */
static class_entry *
class_entry_of(class_memo *memo, void *attr)
{
    if (memo == NULL || attr == NULL)
        return NULL;
    size_t len = 0;
    const unsigned char *value = attr_value(attr, &len);
    if (value == NULL || len > UINT32_MAX)
        return NULL;
    uint32_t hash = bytes_hash(value, len);
    size_t at = hash & (CLASS_MEMO - 1);
    for (int probe = 0; probe < CLASS_PROBES; probe++, at = (at + 1) & (CLASS_MEMO - 1)) {
        class_entry *e = &memo->slot[at];
        if (e->value == NULL) {
            if (memo->used >= CLASS_MEMO_FILL)
                return NULL;
            memo->used++;
            e->value = value;
            e->len = (uint32_t)len;
            e->hash = hash;
            e->popup = e->ascii = e->words = e->content = UNKNOWN;
            e->has_parts = 0;
            return e;
        }
        if (e->hash == hash && e->len == len && memcmp(e->value, value, len) == 0)
            return e;
    }
    return NULL;
}

/* _popup_class(class value) for a class attribute (valueless: not a popup). */
static int
is_popup_class(void *attr)
{
    size_t len = 0;
    const unsigned char *value = attr_value(attr, &len);
    if (value == NULL)
        return 0;
    if (n_popup_words >= 0) {
        /* One pass: only where a popup word can start is any compared. */
        return filter_find(&popup_filter, value, len, 1) >= 0;
    }
    PyObject *cls = decode(value, len);
    if (cls == NULL)
        return -1;
    int popup = truth_of_call(PyObject_CallOneArg(popup_fn, cls));
    Py_DECREF(cls);
    return popup;
}

/* ------------------------------------------------------------------ block marks in C
 *
 * _marks of bot/extract.py for a block element with attributes, on the attributes' UTF-8 bytes:
 * boilerplate when no "keep" word and a boilerplate tag, role or word; the article-container
 * candidate from itemprop, tag, role and content-marking class or id tokens. Class and id values
 * with non-ASCII characters go to the Python function (lower() and split() differ there).
 * Roles and itemprop need no such care: the only non-ASCII characters whose lower() holds ASCII
 * are U+212A (-> "k") and U+0130 (-> "i" + U+0307), and configure_marks() refuses role words
 * with a "k" (and "articlebody" has none), so folding ASCII case on the bytes is exact. */

#define MAX_MARK_WORDS 256
typedef struct {
    const char *word[MAX_MARK_WORDS];
    size_t len[MAX_MARK_WORDS];
    int n;
} word_list;

static word_list boiler_roles; /* the keep, boilerplate and content words live in filters */
static word_filter mark_filter;    /* keep (tag 1) and boilerplate (tag 2) words, folding */
static word_filter content_filter; /* content words, on lower-case text */
static PyObject *marks_owner;    /* keeps the words' bytes alive */
static int c_marks_ready = 0;
static PyObject *cand_body, *cand_article, *cand_main, *cand_content;

/* Python's str.split() white space, for ASCII. */
static int
ascii_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int
ascii_only(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 128)
            return 0;
    }
    return 1;
}

typedef struct {
    int keep, boiler;
} word_flags;

/* The keep and boilerplate flags of one letter run of an ASCII value (any case). */
static void
check_run(word_flags *flags, const unsigned char *run, size_t len)
{
    for (uint64_t m = filter_at(&mark_filter, run, len, 0); m != 0; m &= m - 1) {
        int from, to;
        filter_words_of(&mark_filter, __builtin_ctzll(m), &from, &to);
        for (int w = from; w < to; w++) {
            if (mark_filter.len[w] == len && filter_word_at(&mark_filter, w, run, len, 0, 1)) {
                flags->keep |= mark_filter.tag[w] & 1;
                flags->boiler |= mark_filter.tag[w] >> 1;
            }
        }
    }
}

static inline int
ascii_letter(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26;
}

/* _token_words(text) for ASCII text (callers cut it to 400 characters): camel-case humps become
 * hyphens, then lower case, white-space tokens; an all-letter token is a word, any other gives
 * its letter runs when it has at most four. In one pass over the text: a hump (a lower-case
 * letter, then an upper-case one) ends a letter run as the hyphen would, an all-letter token is
 * its one run, and a run's words are compared with ASCII case folded. */
static void
scan_words(const unsigned char *text, size_t n, word_flags *flags)
{
    size_t i = 0;
    while (i < n && !(flags->keep && flags->boiler)) {
        while (i < n && ascii_space(text[i]))
            i++;
        size_t run_at[5], run_len[5];
        int count = 0;
        while (i < n && !ascii_space(text[i])) {
            if (!ascii_letter(text[i])) {
                i++;
                continue;
            }
            size_t start = i++;
            while (i < n && ascii_letter(text[i]) &&
                   !(text[i - 1] >= 'a' && text[i - 1] <= 'z' && text[i] >= 'A' && text[i] <= 'Z'))
                i++;
            if (count < 5) {
                run_at[count] = start;
                run_len[count] = i - start;
            }
            count++;
        }
        if (count <= 4)
            for (int r = 0; r < count; r++)
                check_run(flags, text + run_at[r], run_len[r]);
    }
}

/* _marks_content(value) for ASCII: a content word inside one of the first 30 white-space tokens,
 * lower-cased with "-" and "_" taken out. */
static int
marks_content(const unsigned char *text, size_t n)
{
    size_t i = 0;
    int tokens = 0;
    char buf[512];
    while (i < n && tokens < 30) {
        while (i < n && ascii_space(text[i]))
            i++;
        if (i >= n)
            break;
        size_t m = 0;
        int long_token = 0;
        while (i < n && !ascii_space(text[i])) {
            unsigned char c = text[i++];
            if (c == '-' || c == '_')
                continue;
            if (m < sizeof(buf))
                buf[m++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
            else
                long_token = 1;
        }
        tokens++;
        if (long_token)
            return -1; /* a token too long for the buffer: let Python decide */
        if (filter_find(&content_filter, (const unsigned char *)buf, m, 0) >= 0)
            return 1;
    }
    return 0;
}

/* ASCII case-insensitive: does the value hold the lower-case word? */
static int
holds_folded(const unsigned char *value, size_t n, const char *word)
{
    return contains_folded(value, n, word, strlen(word));
}

static int
equals_folded(const unsigned char *value, size_t n, const char *word, size_t len)
{
    if (n != len)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = value[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

/* (boiler, candidate) of a block element with attributes: 1 when worked out here (*boiler and
 * *candidate are borrowed), 0 when Python must decide. */
static int
c_block_marks(tag_facts *f, attr_set *a, class_entry *ce, int *boiler, PyObject **candidate)
{
    if (!c_marks_ready)
        return 0;
    size_t cls_len = 0, id_len = 0, role_len = 0, prop_len = 0;
    const unsigned char *cls = a->cls ? attr_value(a->cls, &cls_len) : NULL;
    const unsigned char *ident = a->id ? attr_value(a->id, &id_len) : NULL;
    const unsigned char *role = a->role ? attr_value(a->role, &role_len) : NULL;
    const unsigned char *prop = a->itemprop ? attr_value(a->itemprop, &prop_len) : NULL;
    /* ce, when not NULL, is the memo's entry for cls: what it says, once worked out. */
    int cls_ascii = 1;
    if (cls && ce && ce->ascii != UNKNOWN)
        cls_ascii = ce->ascii;
    else if (cls) {
        cls_ascii = ascii_only(cls, cls_len);
        if (ce)
            ce->ascii = (signed char)cls_ascii;
    }
    if (!cls_ascii || (ident && !ascii_only(ident, id_len)))
        return 0;
    word_flags flags = {0, 0};
    if (cls && ident && cls_len + 1 + id_len > 400) {
        unsigned char joined[401];
        size_t m = cls_len < 400 ? cls_len : 400;
        memcpy(joined, cls, m);
        if (m < 400)
            joined[m++] = ' ';
        size_t rest = 400 - m < id_len ? 400 - m : id_len;
        memcpy(joined + m, ident, rest);
        scan_words(joined, m + rest, &flags);
    }
    else {
        /* The flags only ever turn on, so the class's words can be read on their own. */
        if (cls && ce && ce->words != UNKNOWN) {
            flags.keep = ce->words & 1;
            flags.boiler = (ce->words >> 1) & 1;
        }
        else if (cls) {
            scan_words(cls, cls_len < 400 ? cls_len : 400, &flags);
            if (ce)
                ce->words = (signed char)(flags.keep | (flags.boiler << 1));
        }
        if (ident)
            scan_words(ident, id_len < 400 ? id_len : 400, &flags);
    }
    int role_boiler = 0, role_main = 0;
    if (role) {
        for (int i = 0; i < boiler_roles.n && !role_boiler; i++)
            role_boiler = equals_folded(role, role_len, boiler_roles.word[i], boiler_roles.len[i]);
        role_main = equals_folded(role, role_len, "main", 4);
    }
    int tag_boiler = PyObject_IsTrue(f->boiler);
    if (tag_boiler < 0)
        return -1;
    *boiler = !flags.keep && (tag_boiler || role_boiler || flags.boiler);
    if (prop && holds_folded(prop, prop_len, "articlebody"))
        *candidate = cand_body;
    else if (f->candidate != Py_None)
        *candidate = f->candidate;
    else if (role_main)
        *candidate = cand_main;
    else if (f->kind != KIND_NONE)
        *candidate = Py_None;
    else {
        /* Only here does a class or id that marks article content decide, so only here is it
         * looked for (Python, which a -1 hands the element to, takes the branches above alike). */
        int content = 0;
        for (int which = 0; which < 2 && !content; which++) {
            const unsigned char *value = which ? ident : cls;
            size_t len = which ? id_len : cls_len;
            if (value == NULL)
                continue;
            int found;
            if (!which && ce && ce->content != UNKNOWN)
                found = ce->content;
            else {
                found = marks_content(value, len);
                if (!which && ce)
                    ce->content = (signed char)found;
            }
            if (found < 0)
                return 0;
            content = found;
        }
        *candidate = content ? cand_content : Py_None;
    }
    return 1;
}

/* Whether p[i:] starts with ``word`` (lower-case ASCII), ASCII letters in any case. */
static int
starts_ci(const unsigned char *p, size_t n, size_t i, const char *word)
{
    for (size_t j = 0; word[j]; j++) {
        if (i + j >= n || ascii_lower(p[i + j]) != (unsigned char)word[j])
            return 0;
    }
    return 1;
}

/* _INVISIBLE_STYLE.search() on an ASCII value: "display", white space, ":", white space, "none"
 * (or "visibility" ... "hidden"), ASCII letters in any case. On ASCII text the regex's
 * IGNORECASE folds only ASCII letters and its \s is ascii_space. */
static int
style_hides(const unsigned char *p, size_t n)
{
    static const char *const names[] = {"display", "visibility"};
    static const char *const values[] = {"none", "hidden"};
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            if (!starts_ci(p, n, i, names[k]))
                continue;
            size_t at = i + strlen(names[k]);
            while (at < n && ascii_space(p[at]))
                at++;
            if (at >= n || p[at] != ':')
                continue;
            at++;
            while (at < n && ascii_space(p[at]))
                at++;
            if (starts_ci(p, n, at, values[k]))
                return 1;
        }
    }
    return 0;
}

/* aria.strip().lower() == "true" on an ASCII value. */
static int
aria_true(const unsigned char *p, size_t n)
{
    size_t a = 0, b = n;
    while (a < b && ascii_space(p[a]))
        a++;
    while (b > a && ascii_space(p[b - 1]))
        b--;
    return b - a == 4 && starts_ci(p, b, a, "true");
}

/* _hidden_by(aria-hidden, style): in C when both values are ASCII, else in Python. */
static int
is_hidden(attr_set *a)
{
    if (a->hidden != NULL)
        return 1;
    if (a->aria_hidden == NULL && a->style == NULL)
        return 0;
    size_t aria_len = 0, style_len = 0;
    const unsigned char *aria_p = a->aria_hidden ? attr_value(a->aria_hidden, &aria_len) : NULL;
    const unsigned char *style_p = a->style ? attr_value(a->style, &style_len) : NULL;
    if ((aria_p == NULL || ascii_only(aria_p, aria_len)) &&
        (style_p == NULL || ascii_only(style_p, style_len)))
        return (aria_p != NULL && aria_true(aria_p, aria_len)) ||
               (style_p != NULL && style_hides(style_p, style_len));
    PyObject *aria = value_of(a->aria_hidden);
    if (aria == NULL)
        return -1;
    PyObject *style = value_of(a->style);
    if (style == NULL) {
        Py_DECREF(aria);
        return -1;
    }
    int hidden = truth_of_call(PyObject_CallFunctionObjArgs(hidden_fn, aria, style, NULL));
    Py_DECREF(aria);
    Py_DECREF(style);
    return hidden;
}

/* An element's start: returns 1 to walk its children, 0 to skip them, -1 on error. */
static int
enter_element(walk_state *st, facts_cache *cache, tag_facts *spare, void *node)
{
    int skip = 0;
    tag_facts *f = facts_of(cache, spare, node, &skip);
    if (f == NULL)
        return skip ? 0 : -1;
    if (f->action != ACTION_ELEMENT) {
        if (f->action == ACTION_BR) {
            /* "\n" inside <pre> (a text piece, not what makes a block solid), else None. */
            if (run_append(&st->run, st->pre ? (const unsigned char *)"\n" : NULL, 1) < 0)
                return -1;
        }
        return 0;
    }
    int is_popup = 0;
    attr_set attrs;
    class_entry *ce = NULL;
    read_attrs(node, &attrs, st->attr_names);
    if (attrs.any) {
        int hidden = is_hidden(&attrs);
        if (hidden)
            return hidden < 0 ? -1 : 0;
        if (attrs.cls != NULL) {
            ce = class_entry_of(st->classes, attrs.cls);
            if (ce != NULL) {
                size_t unused;
                st->classed_node = node;
                st->classed_value = attr_value(attrs.cls, &unused);
                st->classed_entry = ce;
            }
            if (ce != NULL && ce->popup != UNKNOWN)
                is_popup = ce->popup;
            else {
                is_popup = is_popup_class(attrs.cls);
                if (is_popup < 0)
                    return -1;
                if (ce != NULL)
                    ce->popup = (signed char)is_popup;
            }
        }
    }
    int is_block = f->is_block, is_link = f->is_link;
    if (is_block || is_link || is_popup) {
        int card = is_popup && st->popups > 0 && !is_link;
        frame fr = {node, st->elem, st->kind, st->pre, (char)is_block, (char)is_link,
                    (char)is_popup, (char)card};
        if (push_frame(st, fr) < 0)
            return -1;
        if (card && push_saved(st) < 0)
            return -1;
        if (is_block) {
            if (flush(st, st->kind, st->n_saved > 0) < 0)
                return -1;
            PyObject *marks = NULL, *boiler = f->boiler, *candidate = f->candidate;
            int c_boiler = 0;
            int done = attrs.any ? c_block_marks(f, &attrs, ce, &c_boiler, &candidate) : 0;
            if (done < 0)
                return -1;
            if (done)
                boiler = c_boiler ? Py_True : Py_False;
            if (attrs.any && !done) {
                PyObject *vals[4];
                void *which[4] = {attrs.cls, attrs.id, attrs.role, attrs.itemprop};
                int i;
                for (i = 0; i < 4; i++) {
                    vals[i] = value_of(which[i]);
                    if (vals[i] == NULL)
                        break;
                }
                if (i == 4)  /* non-ASCII class or id: _block_marks decides */
                    marks = PyObject_CallFunctionObjArgs(block_info_fn, f->tag, vals[0], vals[1],
                                                         vals[2], vals[3], NULL);
                for (int j = 0; j < i; j++)
                    Py_DECREF(vals[j]);
                if (marks == NULL)
                    return -1;
                if (!PyTuple_Check(marks) || PyTuple_GET_SIZE(marks) != 2) {
                    Py_DECREF(marks);
                    PyErr_SetString(PyExc_TypeError, "_block_marks must return a pair");
                    return -1;
                }
                boiler = PyTuple_GET_ITEM(marks, 0);
                candidate = PyTuple_GET_ITEM(marks, 1);
            }
            PyObject *parent = PyLong_FromSsize_t(st->elem);
            PyObject *rec = parent ? PyTuple_Pack(ELEM_FIELDS, parent, boiler, candidate) : NULL;
            Py_XDECREF(parent);
            Py_XDECREF(marks);
            if (rec == NULL)
                return -1;
            int rc = PyList_Append(st->elems, rec);
            Py_DECREF(rec);
            if (rc < 0)
                return -1;
            int kind = st->kind, new_kind = f->kind;
            if (!sticky(kind) || sticky(new_kind))
                kind = new_kind != KIND_NONE ? new_kind : (!sticky(kind) ? KIND_OTHER : kind);
            st->kind = kind;
            st->elem = PyList_GET_SIZE(st->elems) - 1;
            st->pre = st->pre || kind == KIND_PRE;
        }
        st->in_link += is_link;
        st->popups += is_popup;
    }
    return 1;
}

static int
enter_text(walk_state *st, void *node)
{
    vb_chardata *cd = (vb_chardata *)node;
    const unsigned char *data = cd->data.data;
    size_t len = cd->data.length;
    if (data == NULL || len == 0)
        return 0;
    if (run_append(&st->run, data, len) < 0)
        return -1;
    if (!st->run.solid && !all_space(data, len))
        st->run.solid = 1;
    if (st->in_link)
        st->run.link_chars += st->pre ? utf8_length(data, len) : folded_length(data, len);
    return 0;
}

/* Enter a node: 1 to walk its children, 0 not to, -1 on error. */
static int
enter(walk_state *st, facts_cache *cache, tag_facts *spare, void *node)
{
    uintptr_t id = tag_id_of(node);
    if (id == TAG_TEXT)
        return enter_text(st, node) < 0 ? -1 : 0;
    if (id == TAG_DOCUMENT || id == TAG_COMMENT || id == TAG_DOCTYPE)
        return 0;
    if (type_of(node) != NODE_ELEMENT)
        return 0;
    return enter_element(st, cache, spare, node);
}

static int
finish(walk_state *st, void *node)
{
    if (st->n_frames > 0 && st->frames[st->n_frames - 1].node == node)
        return leave(st);
    return 0;
}

/* The walk's end, once the root has been left: the running text becomes the last block. */
static int
walk_end(walk_state *st)
{
    /* Only if the walk ended inside a card (it cannot, but stay safe): its text joins. */
    while (st->n_saved > 0) {
        run_text *s = &st->saved[st->n_saved - 1], *r = &st->run;
        size_t shift = s->len;
        if (byte_room(&s->buf, s->len, &s->cap, r->len) < 0)
            return -1;
        memcpy(s->buf + s->len, r->buf, r->len);
        s->len += r->len;
        for (Py_ssize_t i = 0; i < r->n_pieces; i++) {
            if (make_room((void **)&s->pieces, s->n_pieces, &s->cap_pieces, sizeof(run_piece),
                          16) < 0)
                return -1;
            run_piece piece = r->pieces[i];
            piece.off += shift;
            s->pieces[s->n_pieces++] = piece;
        }
        s->has_br |= r->has_br;
        s->link_chars = r->link_chars;
        s->solid = r->solid;
        run_free(r);
        st->run = *s;
        st->n_saved--;
    }
    if (st->run.n_pieces > 0 && emit(st, st->kind, 0) < 0)
        return -1;
    return 0;
}

static int
run_walk(walk_state *st, facts_cache *cache, tag_facts *spare, void *root)
{
    void *node = root;
    for (;;) {
        int descend = enter(st, cache, spare, node);
        if (descend < 0)
            return -1;
        void *child = descend ? first_child(node) : NULL;
        if (child != NULL) {
            node = child;
            continue;
        }
        for (;;) {
            if (finish(st, node) < 0)
                return -1;
            if (node == root)
                return walk_end(st);
            void *sibling = next_sibling(node);
            if (sibling != NULL) {
                node = sibling;
                break;
            }
            node = parent_of(node);
            if (node == NULL) {
                PyErr_SetString(PyExc_RuntimeError, "walked out of the tree");
                return -1;
            }
        }
    }
}

/* A walk's state and caches, for ``walker`` (its elems and blocks lists get the records). */
typedef struct {
    walk_state st;
    facts_cache *cache;
    tag_facts spare;
} walk_run;

/* Ready ``w`` for a walk (0), or -1 with an exception set; walk_free frees it either way. */
static int
walk_begin(walk_run *w, PyObject *walker)
{
    memset(w, 0, sizeof(*w));
    walk_state *st = &w->st;
    st->kind = KIND_OTHER;
    if (!bound || tag_info_fn == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "bind(), check_layout() and configure() first");
        return -1;
    }
    st->elems = PyObject_GetAttrString(walker, "elems");
    st->blocks = PyObject_GetAttrString(walker, "blocks");
    st->walker_emit = PyObject_GetAttrString(walker, "emit");
    if (st->elems == NULL || st->blocks == NULL || st->walker_emit == NULL)
        return -1;
    if (!PyList_CheckExact(st->elems) || !PyList_CheckExact(st->blocks)) {
        PyErr_SetString(PyExc_TypeError, "walker.elems and walker.blocks must be lists");
        return -1;
    }
    w->cache = PyMem_Calloc(1, sizeof(facts_cache));
    st->attr_names = PyMem_Calloc(1, sizeof(attr_cache));
    st->classes = PyMem_Calloc(1, sizeof(class_memo));
    if (w->cache == NULL || st->attr_names == NULL || st->classes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
walk_free(walk_run *w)
{
    walk_state *st = &w->st;
    while (st->n_saved > 0)
        run_free(&st->saved[--st->n_saved]);
    run_free(&st->run);
    PyMem_Free(st->folded);
    PyMem_Free(st->saved);
    PyMem_Free(st->frames);
    PyMem_Free(st->attr_names);
    PyMem_Free(st->classes);
    if (w->cache != NULL) {
        facts_clear(w->cache);
        PyMem_Free(w->cache);
    }
    Py_XDECREF(w->spare.tag);
    Py_XDECREF(w->spare.boiler);
    Py_XDECREF(w->spare.candidate);
    Py_XDECREF(st->elems);
    Py_XDECREF(st->blocks);
    Py_XDECREF(st->walker_emit);
    memset(w, 0, sizeof(*w));
}

static PyObject *
fastwalk_walk(PyObject *self, PyObject *args)
{
    unsigned long long root_id;
    PyObject *walker;
    if (!PyArg_ParseTuple(args, "KO:walk", &root_id, &walker))
        return NULL;
    if (root_id == 0) {
        PyErr_SetString(PyExc_ValueError, "no root node");
        return NULL;
    }
    walk_run w;
    int rc = walk_begin(&w, walker);
    if (rc == 0)
        rc = run_walk(&w.st, w.cache, &w.spare, (void *)(uintptr_t)root_id);
    walk_free(&w);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ set-up */

static void *
need(void *handle, const char *name)
{
    void *fn = dlsym(handle, name);
    if (fn == NULL)
        PyErr_Format(PyExc_OSError, "selectolax's lexbor lacks %s", name);
    return fn;
}

static PyObject *
fastwalk_bind(PyObject *self, PyObject *args)
{
    const char *path;
    if (!PyArg_ParseTuple(args, "s:bind", &path))
        return NULL;
    /* RTLD_NOLOAD: only the copy Python has already loaded (never a second lexbor). */
    void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (handle == NULL)
        return PyErr_Format(PyExc_OSError, "selectolax's lexbor is not loaded: %s", dlerror());
    void *fns[12];
    static const char *const names[12] = {
        "lxb_dom_node_first_child_noi",        "lxb_dom_node_next_noi",
        "lxb_dom_node_parent_noi",             "lxb_dom_element_first_attribute_noi",
        "lxb_dom_element_next_attribute_noi",  "lxb_dom_node_tag_id_noi",
        "lxb_dom_node_type_noi",               "lxb_dom_element_qualified_name",
        "lxb_dom_attr_qualified_name",         "lxb_dom_attr_value_noi",
        "lxb_dom_node_last_child_noi",         "lxb_tag_name_by_id_noi",
    };
    for (int i = 0; i < 12; i++) {
        fns[i] = need(handle, names[i]);
        if (fns[i] == NULL) {
            dlclose(handle);
            return NULL;
        }
    }
    lxb_first_child = (node_fn)fns[0];
    lxb_next_sibling = (node_fn)fns[1];
    lxb_parent_of = (node_fn)fns[2];
    lxb_first_attr = (node_fn)fns[3];
    lxb_next_attr = (node_fn)fns[4];
    lxb_tag_id_of = (tag_id_fn)fns[5];
    lxb_type_of = (type_fn)fns[6];
    element_name = (name_fn)fns[7];
    attr_name = (name_fn)fns[8];
    lxb_attr_value = (name_fn)fns[9];
    name_by_id = (name_by_id_fn)fns[11];
    /* The handle stays open: it only adds a reference to a module Python never unloads. */
    symbols_found = 1;
    Py_RETURN_NONE;
}

/* check_layout(root_mem_id) -> bool: whether reading a node's first child, next sibling, parent,
 * tag id and type, an element's first attribute and an attribute's next one and value straight
 * from the structures gives what lexbor's exported accessors give, on every node under root (and
 * root's parent), and whether an attribute has a qualified name or prefix of its own exactly when
 * its name is not a lower-case local name; the tree must hold attributes with and without a value
 * and one so named. Only then does anything here walk a tree: a call per field was a tenth of
 * the walk. */
static PyObject *
fastwalk_check_layout(PyObject *self, PyObject *args)
{
    unsigned long long root_id;
    if (!PyArg_ParseTuple(args, "K:check_layout", &root_id))
        return NULL;
    if (!symbols_found || root_id == 0) {
        PyErr_SetString(PyExc_RuntimeError, "bind() first, and a root node's mem_id");
        return NULL;
    }
    void *root = (void *)(uintptr_t)root_id;
    int same = first_child(root) != NULL && parent_of(root) == lxb_parent_of(root);
    Py_ssize_t seen = 0, attrs = 0, valueless = 0, named_apart = 0;
    for (void *node = root; node != NULL && same; seen++) {
        same = first_child(node) == lxb_first_child(node) &&
               next_sibling(node) == lxb_next_sibling(node) &&
               parent_of(node) == lxb_parent_of(node) && tag_id_of(node) == lxb_tag_id_of(node) &&
               type_of(node) == lxb_type_of(node);
        if (same && type_of(node) == NODE_ELEMENT) {
            same = first_attr(node) == lxb_first_attr(node);
            for (void *attr = first_attr(node); attr != NULL && same; attr = next_attr(attr)) {
                size_t len = 0, lxb_len = 0;
                const unsigned char *value = attr_value(attr, &len);
                same = next_attr(attr) == lxb_next_attr(attr) &&
                       value == lxb_attr_value(attr, &lxb_len) && len == lxb_len;
                /* attr_kind's rule: an attribute has a qualified name or prefix of its own
                 * exactly when its name is not its lower-case local name (viewBox, xlink:href) */
                size_t name_len = 0;
                const unsigned char *name = attr_name(attr, &name_len);
                int plain = name != NULL;
                for (size_t i = 0; plain && i < name_len; i++)
                    plain = name[i] != ':' && !(name[i] >= 'A' && name[i] <= 'Z');
                int apart = ((vb_attr *)attr)->qualified_name != 0 ||
                            ((vb_attr *)attr)->node.prefix != 0;
                same = same && apart == !plain;
                attrs++;
                valueless += value == NULL || len == 0;
                named_apart += apart;
            }
        }
        /* the next node in document order, by the exported accessors */
        void *next = lxb_first_child(node);
        while (next == NULL && node != root) {
            next = lxb_next_sibling(node);
            if (next == NULL)
                node = lxb_parent_of(node);
        }
        node = next;
    }
    /* The sample must hold attributes with values and without, and one named apart. */
    same = same && seen > 1 && attrs > valueless && valueless > 0 && named_apart > 0;
    if (same)
        bound = 1;
    return PyBool_FromLong(same);
}

/* configure_tags(((tag_id, name), ...)) -> how many facts were made: for each static tag id
 * whose lexbor name is ``name``, its facts from _tag_info, kept for every walk after. configure()
 * first. */
static PyObject *
fastwalk_configure_tags(PyObject *self, PyObject *args)
{
    PyObject *pairs;
    if (!PyArg_ParseTuple(args, "O!:configure_tags", &PyTuple_Type, &pairs))
        return NULL;
    if (!bound || tag_info_fn == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "bind(), check_layout() and configure() first");
        return NULL;
    }
    Py_ssize_t made = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(pairs); i++) {
        unsigned long long id;
        const char *given;
        Py_ssize_t given_len;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(pairs, i), "Ks#", &id, &given, &given_len))
            return NULL;
        if (id == 0 || id >= KNOWN_IDS) {
            PyErr_Format(PyExc_ValueError, "tag id %llu is not a static lexbor id", id);
            return NULL;
        }
        size_t len = 0;
        const unsigned char *name = name_by_id((uintptr_t)id, &len);
        if (name == NULL || len != (size_t)given_len || memcmp(name, given, len) != 0) {
            PyErr_Format(PyExc_ValueError, "lexbor does not name tag id %llu %s", id, given);
            return NULL;
        }
        tag_facts *f = &known_facts[id];
        if (f->name != NULL)
            continue;
        if (facts_fill(f, name, len) < 0)
            return NULL;
        made++;
    }
    return PyLong_FromSsize_t(made);
}

static PyObject *
fastwalk_configure(PyObject *self, PyObject *args)
{
    PyObject *fns[4], *words;
    if (!PyArg_ParseTuple(args, "OOOOO!:configure", &fns[0], &fns[1], &fns[2], &fns[3],
                          &PyTuple_Type, &words))
        return NULL;
    for (int i = 0; i < 4; i++) {
        if (!PyCallable_Check(fns[i])) {
            PyErr_SetString(PyExc_TypeError, "configure() takes callables");
            return NULL;
        }
    }
    Py_XSETREF(tag_info_fn, Py_NewRef(fns[0]));
    Py_XSETREF(block_info_fn, Py_NewRef(fns[1]));
    Py_XSETREF(popup_fn, Py_NewRef(fns[2]));
    Py_XSETREF(hidden_fn, Py_NewRef(fns[3]));
    n_popup_words = -1;
    Py_ssize_t n = PyTuple_GET_SIZE(words);
    if (n > MAX_POPUP_WORDS)
        Py_RETURN_NONE;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        Py_ssize_t len = 0;
        const char *text = PyUnicode_Check(word) ? PyUnicode_AsUTF8AndSize(word, &len) : NULL;
        if (text == NULL) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        if (len >= 32 || (len > 0 && text[len - 1] == 'i'))
            Py_RETURN_NONE;
        for (Py_ssize_t j = 0; j < len; j++) {
            if (text[j] < 'a' || text[j] > 'z' || text[j] == 'k')
                Py_RETURN_NONE;
        }
        if (len == 0)
            Py_RETURN_NONE;
        memcpy(popup_words[i], text, (size_t)len);
        popup_lens[i] = (size_t)len;
    }
    filter_clear(&popup_filter);
    for (Py_ssize_t i = 0; i < n; i++)
        filter_add(&popup_filter, popup_words[i], popup_lens[i], 0, 1);
    n_popup_words = (int)n;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ main content in C
 *
 * _mark_main and _choose_main of bot/extract.py over the walk's records, line for line: prose
 * sums per element, the three levels of boilerplate strictness, then the article container.
 * The shares and the prose kinds come from Python (configure_main). */

enum { CAND_NONE = 0, CAND_BODY, CAND_CONTENT, CAND_ARTICLE, CAND_MAIN };

static double main_share, marked_share, density_share, first_article_share;
static long long min_prose;
static PyObject *prose_kinds; /* tuple of str */
static int main_ready = 0;

static int
is_cjk(Py_UCS4 ch)
{
    return (ch >= 0x3040 && ch <= 0x30ff) || (ch >= 0x3400 && ch <= 0x9fff) ||
           (ch >= 0xac00 && ch <= 0xd7af) || (ch >= 0xf900 && ch <= 0xfaff);
}

/* _weight: length, a CJK character counting three. */
static long long
text_weight(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_IS_ASCII(text))
        return n;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    long long cjk = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (is_cjk(PyUnicode_READ(kind, data, i)))
            cjk++;
    }
    return n + 2 * cjk;
}

/* Field i of a record (a tuple of at least ``fields`` items), borrowed; NULL and *err set if
 * the record is no such tuple. */
static PyObject *
field_of(PyObject *rec, Py_ssize_t i, Py_ssize_t fields, int *err)
{
    if (!PyTuple_Check(rec) || PyTuple_GET_SIZE(rec) < fields) {
        if (!*err)
            PyErr_SetString(PyExc_TypeError, "walk records must be tuples");
        *err = 1;
        return NULL;
    }
    return PyTuple_GET_ITEM(rec, i);
}

static long long
long_field(PyObject *rec, Py_ssize_t i, Py_ssize_t fields, int *err)
{
    PyObject *v = field_of(rec, i, fields, err);
    if (v == NULL)
        return 0;
    long long out = PyLong_AsLongLong(v);
    if (out == -1 && PyErr_Occurred())
        *err = 1;
    return out;
}

static int
truth_field(PyObject *rec, Py_ssize_t i, Py_ssize_t fields, int *err)
{
    PyObject *v = field_of(rec, i, fields, err);
    if (v == NULL)
        return 0;
    int out = PyObject_IsTrue(v);
    if (out < 0)
        *err = 1;
    return out > 0;
}

typedef struct {
    Py_ssize_t n;
    Py_ssize_t *parent;
    char *rec_boiler, *cand, *boiler, *inside_boiler, *in_main, *is_root;
    long long *prose, *para, *heads, *own, *clean, *nested;
    Py_ssize_t *nearest, *found;
} main_arrays;

static void
main_free(main_arrays *a)
{
    PyMem_Free(a->parent);
    PyMem_Free(a->rec_boiler);
    PyMem_Free(a->prose);
    PyMem_Free(a->nearest);
}

static int
main_alloc(main_arrays *a, Py_ssize_t n)
{
    memset(a, 0, sizeof(*a));
    a->n = n;
    size_t un = (size_t)(n > 0 ? n : 1);
    a->parent = PyMem_Calloc(un, sizeof(Py_ssize_t));
    a->rec_boiler = PyMem_Calloc(un, 6);
    a->prose = PyMem_Calloc(un, 6 * sizeof(long long));
    a->nearest = PyMem_Calloc(un, 2 * sizeof(Py_ssize_t));
    if (!a->parent || !a->rec_boiler || !a->prose || !a->nearest) {
        main_free(a);
        PyErr_NoMemory();
        return -1;
    }
    a->cand = a->rec_boiler + un;
    a->boiler = a->cand + un;
    a->inside_boiler = a->boiler + un;
    a->in_main = a->inside_boiler + un;
    a->is_root = a->in_main + un;
    a->para = a->prose + un;
    a->heads = a->para + un;
    a->own = a->heads + un;
    a->clean = a->own + un;
    a->nested = a->clean + un;
    a->found = a->nearest + un;
    return 0;
}

/* outermost(kind): elements with that candidate outside boilerplate and outside another such
 * element (into a->found, returns how many); a->nested gets the prose nested right inside. */
static Py_ssize_t
outermost(main_arrays *a, int kind)
{
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < a->n; i++) {
        a->nearest[i] = 0;
        a->nested[i] = 0;
    }
    for (Py_ssize_t i = 1; i < a->n; i++) {
        Py_ssize_t parent = a->parent[i];
        a->nearest[i] = a->cand[parent] == kind ? parent : a->nearest[parent];
        if (a->cand[i] == kind) {
            if (a->nearest[i])
                a->nested[a->nearest[i]] += a->clean[i];
            else if (!a->inside_boiler[i])
                a->found[count++] = i;
        }
    }
    return count;
}

/* _choose_main: marks a->is_root for the chosen roots (none when the page has no clean prose). */
static void
choose_main(main_arrays *a)
{
    long long total = a->clean[0];
    Py_ssize_t n = a->n;
    if (total == 0)
        return;
    for (Py_ssize_t i = 1; i < n; i++)
        a->inside_boiler[i] = a->inside_boiler[a->parent[i]] || a->boiler[i];
    int marked[2] = {CAND_BODY, CAND_CONTENT};
    for (int m = 0; m < 2; m++) {
        Py_ssize_t count = outermost(a, marked[m]);
        long long sum = 0;
        for (Py_ssize_t j = 0; j < count; j++)
            sum += a->clean[a->found[j]];
        if (count && (double)sum >= marked_share * (double)total) {
            for (Py_ssize_t j = 0; j < count; j++)
                a->is_root[a->found[j]] = 1;
            return;
        }
    }
    Py_ssize_t count = outermost(a, CAND_ARTICLE);
    long long sum = 0;
    for (Py_ssize_t j = 0; j < count; j++)
        sum += a->clean[a->found[j]];
    if (count && (double)sum >= main_share * (double)total) {
        /* "single": articles not made mostly of other articles (else all of them) */
        Py_ssize_t singles = 0;
        for (Py_ssize_t j = 0; j < count; j++) {
            Py_ssize_t i = a->found[j];
            if (a->nested[i] * 2 < a->clean[i])
                singles++;
        }
        int use_all = singles == 0;
        long long biggest = -1;
        for (Py_ssize_t j = 0; j < count; j++) {
            Py_ssize_t i = a->found[j];
            if ((use_all || a->nested[i] * 2 < a->clean[i]) && a->clean[i] > biggest)
                biggest = a->clean[i];
        }
        for (Py_ssize_t j = 0; j < count; j++) {
            Py_ssize_t i = a->found[j];
            if ((use_all || a->nested[i] * 2 < a->clean[i]) &&
                (double)a->clean[i] >= first_article_share * (double)biggest) {
                a->is_root[i] = 1;
                return;
            }
        }
    }
    count = outermost(a, CAND_MAIN);
    if (count) {
        Py_ssize_t best = a->found[0];
        for (Py_ssize_t j = 1; j < count; j++) {
            if (a->clean[a->found[j]] > a->clean[best])
                best = a->found[j];
        }
        if ((double)a->clean[best] >= main_share * (double)total) {
            a->is_root[best] = 1;
            return;
        }
    }
    Py_ssize_t best = 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        if ((double)a->clean[i] >= density_share * (double)total && !a->inside_boiler[i])
            best = i;
    }
    a->is_root[best] = 1; /* 0, the document, when no element holds enough */
}

static int
candidate_code(PyObject *cand)
{
    if (cand == Py_None || !PyUnicode_Check(cand))
        return CAND_NONE;
    if (PyUnicode_CompareWithASCIIString(cand, "body") == 0)
        return CAND_BODY;
    if (PyUnicode_CompareWithASCIIString(cand, "content") == 0)
        return CAND_CONTENT;
    if (PyUnicode_CompareWithASCIIString(cand, "article") == 0)
        return CAND_ARTICLE;
    if (PyUnicode_CompareWithASCIIString(cand, "main") == 0)
        return CAND_MAIN;
    return CAND_NONE + 8; /* another value: a candidate of no kind looked for */
}

#define KINDS_SEEN 8

/* candidate_code(cand), looked up by address among the ``*n`` already seen in this call (the
 * records hold them, so an address stays one object's). */
static int
candidate_seen(PyObject *cand, PyObject **seen, int *codes, int *n)
{
    for (int k = 0; k < *n; k++)
        if (seen[k] == cand)
            return codes[k];
    int code = candidate_code(cand);
    if (*n < KINDS_SEEN) {
        seen[*n] = cand;
        codes[(*n)++] = code;
    }
    return code;
}

/* make_blocks(raw_blocks, flags, block_type) -> (blocks, main_text, full_text): each walk record
 * (text, kind, ...) with its article flag as a ``block_type`` (bot.extract.Block, a named tuple
 * of (text, kind, main)), and the texts of the main blocks and of all of them joined by blank
 * lines, as bot.extract._assemble joins them. A page has a few hundred blocks: made in Python,
 * each costs a call of the named tuple's __new__. */
static PyObject *
fastwalk_make_blocks(PyObject *self, PyObject *args)
{
    PyObject *raw, *flags;
    PyTypeObject *block_type;
    if (!PyArg_ParseTuple(args, "O!O!O!:make_blocks", &PyList_Type, &raw, &PyList_Type, &flags,
                          &PyType_Type, &block_type))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(raw);
    if (PyList_GET_SIZE(flags) != n || !PyType_IsSubtype(block_type, &PyTuple_Type) ||
        block_type->tp_itemsize != sizeof(PyObject *)) {
        PyErr_SetString(PyExc_ValueError,
                        "make_blocks() takes as many flags as records, and a tuple type");
        return NULL;
    }
    PyObject *blocks = PyTuple_New(n), *main = PyList_New(0), *all = PyList_New(n);
    PyObject *sep = NULL, *out = NULL, *main_text = NULL, *full_text = NULL;
    if (blocks == NULL || main == NULL || all == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *rec = PyList_GET_ITEM(raw, i), *flag = PyList_GET_ITEM(flags, i);
        if (!PyTuple_Check(rec) || PyTuple_GET_SIZE(rec) < 2 || !PyBool_Check(flag) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(rec, 0))) {
            PyErr_SetString(PyExc_TypeError, "make_blocks() takes (text, kind, ...) and bools");
            goto done;
        }
        PyObject *text = PyTuple_GET_ITEM(rec, 0);
        PyObject *block = block_type->tp_alloc(block_type, 3);
        if (block == NULL)
            goto done;
        PyTuple_SET_ITEM(block, 0, Py_NewRef(text));
        PyTuple_SET_ITEM(block, 1, Py_NewRef(PyTuple_GET_ITEM(rec, 1)));
        PyTuple_SET_ITEM(block, 2, Py_NewRef(flag));
        PyTuple_SET_ITEM(blocks, i, block);
        PyList_SET_ITEM(all, i, Py_NewRef(text));
        if (flag == Py_True && PyList_Append(main, text) < 0)
            goto done;
    }
    if ((sep = PyUnicode_FromString("\n\n")) == NULL ||
        (main_text = PyUnicode_Join(sep, main)) == NULL ||
        (full_text = PyUnicode_Join(sep, all)) == NULL)
        goto done;
    out = PyTuple_Pack(3, blocks, main_text, full_text);
done:
    Py_XDECREF(blocks);
    Py_XDECREF(main);
    Py_XDECREF(all);
    Py_XDECREF(sep);
    Py_XDECREF(main_text);
    Py_XDECREF(full_text);
    return out;
}

/* main_stretches(blocks) -> [(full start, full end, main start, main end), ...]: where each run
 * of consecutive main blocks stands in the full text and in the main text, both the blocks' texts
 * joined by blank lines (bot.extract._main_stretches_python). Why: reusing the main text's tokens
 * for the full text needs these, and a Python loop over a page's blocks cost half as much as
 * tokenising the rest of the page. */
static int
append_stretch(PyObject *out, Py_ssize_t f0, Py_ssize_t f1, Py_ssize_t m0, Py_ssize_t m1)
{
    PyObject *item = Py_BuildValue("(nnnn)", f0, f1, m0, m1);
    int rc = item == NULL ? -1 : PyList_Append(out, item);
    Py_XDECREF(item);
    return rc;
}

static PyObject *
fastwalk_main_stretches(PyObject *self, PyObject *arg)
{
    PyObject *blocks = PySequence_Tuple(arg); /* a snapshot: nothing below can change it */
    if (blocks == NULL)
        return NULL;
    PyObject *out = PyList_New(0);
    Py_ssize_t full_at = 0, main_at = 0, f0 = -1, f1 = 0, m0 = 0, m1 = 0;
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(blocks); i++) {
        PyObject *block = PyTuple_GET_ITEM(blocks, i);
        if (!PyTuple_Check(block) || PyTuple_GET_SIZE(block) < 3 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(block, 0)) ||
            !PyBool_Check(PyTuple_GET_ITEM(block, 2))) {
            PyErr_SetString(PyExc_TypeError, "main_stretches() takes (text, kind, main) tuples");
            goto fail;
        }
        Py_ssize_t size = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(block, 0));
        if (PyTuple_GET_ITEM(block, 2) == Py_True) {
            if (f0 >= 0 && f1 + 2 == full_at) {
                f1 = full_at + size; /* the run goes on */
                m1 = main_at + size;
            }
            else {
                if (f0 >= 0 && append_stretch(out, f0, f1, m0, m1) < 0)
                    goto fail;
                f0 = full_at, f1 = full_at + size, m0 = main_at, m1 = main_at + size;
            }
            main_at += size + 2;
        }
        full_at += size + 2;
    }
    if (f0 >= 0 && append_stretch(out, f0, f1, m0, m1) < 0)
        goto fail;
    Py_DECREF(blocks);
    return out;
fail:
    Py_DECREF(blocks);
    Py_XDECREF(out);
    return NULL;
}

static PyObject *
fastwalk_mark_main(PyObject *self, PyObject *args)
{
    PyObject *elems, *blocks;
    if (!PyArg_ParseTuple(args, "O!O!:mark_main", &PyList_Type, &elems, &PyList_Type, &blocks))
        return NULL;
    if (!main_ready) {
        PyErr_SetString(PyExc_RuntimeError, "configure_main() first");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(elems), nb = PyList_GET_SIZE(blocks);
    /* What a kind or a candidate value says, found once per distinct object in this call: a
     * page's records share a few of each. */
    PyObject *kinds_seen[KINDS_SEEN], *cands_seen[KINDS_SEEN];
    int kind_facts[KINDS_SEEN], cand_codes[KINDS_SEEN], n_kinds_seen = 0, n_cands_seen = 0;
    main_arrays a;
    if (main_alloc(&a, n) < 0)
        return NULL;
    Py_ssize_t *block_elem = PyMem_Calloc((size_t)(nb > 0 ? nb : 1), sizeof(Py_ssize_t));
    char *block_aside = PyMem_Calloc((size_t)(nb > 0 ? nb : 1), 1);
    PyObject *out = NULL;
    int err = 0;
    if (block_elem == NULL || block_aside == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n && !err; i++) {
        PyObject *rec = PyList_GET_ITEM(elems, i);
        a.parent[i] = (Py_ssize_t)long_field(rec, ELEM_PARENT, ELEM_FIELDS, &err);
        a.rec_boiler[i] = (char)truth_field(rec, ELEM_BOILER, ELEM_FIELDS, &err);
        if (!err)
            a.cand[i] = (char)candidate_seen(PyTuple_GET_ITEM(rec, ELEM_CANDIDATE), cands_seen,
                                             cand_codes, &n_cands_seen);
        if (!err && i > 0 && (a.parent[i] < 0 || a.parent[i] >= i)) {
            PyErr_SetString(PyExc_ValueError, "element records are not in document order");
            err = 1;
        }
    }
    for (Py_ssize_t b = 0; b < nb && !err; b++) {
        PyObject *block = PyList_GET_ITEM(blocks, b);
        Py_ssize_t elem = (Py_ssize_t)long_field(block, BLOCK_ELEM, BLOCK_FIELDS, &err);
        int aside = truth_field(block, BLOCK_ASIDE, BLOCK_FIELDS, &err);
        if (err)
            break;
        if (elem < 0 || elem >= n) {
            PyErr_SetString(PyExc_ValueError, "a block names no element record");
            err = 1;
            break;
        }
        block_elem[b] = elem;
        block_aside[b] = (char)aside;
        if (aside)
            continue;
        PyObject *text = PyTuple_GET_ITEM(block, BLOCK_TEXT);
        PyObject *kind = PyTuple_GET_ITEM(block, BLOCK_KIND);
        long long link_chars = long_field(block, BLOCK_LINK_CHARS, BLOCK_FIELDS, &err);
        if (err || !PyUnicode_Check(text)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a block's text must be a str");
            err = 1;
            break;
        }
        long long size = text_weight(text);
        long long chars = PyUnicode_GET_LENGTH(text);
        int facts = -1; /* bit 1: a prose kind; 2: a paragraph; 4: a heading */
        for (int k = 0; k < n_kinds_seen; k++)
            if (kinds_seen[k] == kind)
                facts = kind_facts[k];
        if (facts < 0) {
            int prose = PySequence_Contains(prose_kinds, kind);
            if (prose < 0) {
                err = 1;
                break;
            }
            int para = PyUnicode_Check(kind) && PyUnicode_CompareWithASCIIString(kind, "paragraph") == 0;
            int head = PyUnicode_Check(kind) && PyUnicode_CompareWithASCIIString(kind, "heading") == 0;
            facts = prose | para << 1 | head << 2;
            if (n_kinds_seen < KINDS_SEEN) { /* the list holds the kind: its address stays its own */
                kinds_seen[n_kinds_seen] = kind;
                kind_facts[n_kinds_seen++] = facts;
            }
        }
        int prose_kind = facts & 1, paragraph = (facts >> 1) & 1, heading = (facts >> 2) & 1;
        if (size >= min_prose && prose_kind && link_chars * 2 < chars)
            a.prose[elem] += size;
        if (paragraph && link_chars * 2 < chars)
            a.para[elem] += size;
        else if (heading && link_chars * 5 >= chars * 3)
            a.heads[elem] += 1;
    }
    if (err)
        goto done;
    memcpy(a.own, a.prose, (size_t)n * sizeof(long long));
    for (Py_ssize_t i = n - 1; i > 0; i--) {
        Py_ssize_t parent = a.parent[i];
        a.prose[parent] += a.prose[i];
        a.para[parent] += a.para[i];
        a.heads[parent] += a.heads[i];
    }
    long long page_prose = n ? a.prose[0] : 0;
    for (int level = 2; level >= 0; level--) {
        for (Py_ssize_t i = 1; i < n; i++) {
            int teasers = level == 2 && a.heads[i] >= 3 && a.para[i] < 200 * a.heads[i];
            int marked = level > 0 && (a.rec_boiler[i] || teasers);
            a.boiler[i] = (char)(marked && a.prose[i] * 2 <= page_prose);
        }
        memcpy(a.clean, a.own, (size_t)n * sizeof(long long));
        for (Py_ssize_t i = n - 1; i > 0; i--) {
            if (!a.boiler[i])
                a.clean[a.parent[i]] += a.clean[i];
        }
        if (n == 0 || a.clean[0] * 4 >= page_prose || (level == 1 && a.clean[0]))
            break;
    }
    if (n > 0)
        choose_main(&a);
    for (Py_ssize_t i = 1; i < n; i++)
        a.in_main[i] = a.is_root[i] || (a.in_main[a.parent[i]] && !a.boiler[i]);
    out = PyList_New(nb);
    if (out == NULL)
        goto done;
    for (Py_ssize_t b = 0; b < nb; b++) {
        int flag = a.in_main[block_elem[b]] && !block_aside[b];
        PyList_SET_ITEM(out, b, Py_NewRef(flag ? Py_True : Py_False));
    }
done:
    PyMem_Free(block_elem);
    PyMem_Free(block_aside);
    main_free(&a);
    return out;
}

static PyObject *
fastwalk_configure_main(PyObject *self, PyObject *args)
{
    PyObject *kinds;
    if (!PyArg_ParseTuple(args, "LddddO!:configure_main", &min_prose, &main_share, &marked_share,
                          &density_share, &first_article_share, &PyTuple_Type, &kinds))
        return NULL;
    Py_XSETREF(prose_kinds, Py_NewRef(kinds));
    main_ready = 1;
    Py_RETURN_NONE;
}

static int
fill_words(word_list *list, PyObject *words, int refuse_k)
{
    PyObject *seq = PySequence_Fast(words, "configure_marks() takes sequences of str");
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    list->n = 0;
    if (n > MAX_MARK_WORDS) {
        Py_DECREF(seq);
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PySequence_Fast_GET_ITEM(seq, i);
        Py_ssize_t len = 0;
        const char *text = PyUnicode_Check(word) ? PyUnicode_AsUTF8AndSize(word, &len) : NULL;
        if (text == NULL) {
            Py_DECREF(seq);
            PyErr_Clear();
            return 0;
        }
        for (Py_ssize_t j = 0; j < len; j++) {
            if (text[j] < 'a' || text[j] > 'z' || (refuse_k && text[j] == 'k')) {
                Py_DECREF(seq);
                return 0;
            }
        }
        if (PyList_Append(marks_owner, word) < 0) {
            Py_DECREF(seq);
            return -1;
        }
        if (len == 0) {
            Py_DECREF(seq);
            return 0;
        }
        list->word[list->n] = text;
        list->len[list->n] = (size_t)len;
        list->n++;
    }
    Py_DECREF(seq);
    return 1;
}

static PyObject *
fastwalk_configure_marks(PyObject *self, PyObject *args)
{
    PyObject *keep, *boiler, *roles, *content;
    if (!PyArg_ParseTuple(args, "OOOO:configure_marks", &keep, &boiler, &roles, &content))
        return NULL;
    c_marks_ready = 0;
    Py_XSETREF(marks_owner, PyList_New(0));
    if (marks_owner == NULL)
        return NULL;
    if (cand_body == NULL) {
        cand_body = PyUnicode_InternFromString("body");
        cand_article = PyUnicode_InternFromString("article");
        cand_main = PyUnicode_InternFromString("main");
        cand_content = PyUnicode_InternFromString("content");
        if (!cand_body || !cand_article || !cand_main || !cand_content)
            return NULL;
    }
    int ok = 1;
    /* Read into lists for their checks, then kept in the filters (marks_owner keeps the bytes). */
    word_list keep_words = {.n = 0}, boiler_words = {.n = 0}, content_words = {.n = 0};
    word_list *lists[4] = {&keep_words, &boiler_words, &boiler_roles, &content_words};
    PyObject *given[4] = {keep, boiler, roles, content};
    for (int i = 0; i < 4 && ok == 1; i++)
        ok = fill_words(lists[i], given[i], i == 2);
    if (ok < 0)
        return NULL;
    filter_clear(&content_filter);
    for (int i = 0; i < content_words.n && ok; i++) {
        /* "" would be in every value: leave that to Python */
        ok = filter_add(&content_filter, content_words.word[i], content_words.len[i], 0, 0);
    }
    filter_clear(&mark_filter);
    for (int i = 0; i < keep_words.n && ok; i++)
        ok = filter_add(&mark_filter, keep_words.word[i], keep_words.len[i], 1, 1);
    for (int i = 0; i < boiler_words.n && ok; i++)
        ok = filter_add(&mark_filter, boiler_words.word[i], boiler_words.len[i], 2, 1);
    c_marks_ready = ok;
    return PyBool_FromLong(ok);
}

/* ------------------------------------------------------------------ metadata scans */

/* Where bot.metadata asked lexbor's selector engine for every <meta>, canonical <link> and
 * JSON-LD <script> (a walk of the whole tree matching each element against the selectors, then
 * a Python node and attribute dict for each match), these two walks read the few attributes
 * those need and hand back only strings. tests/test_metadata_speed_equivalence.py compares them
 * with the selector queries. Tag ids come from selectolax (LexborNode.tag_id) via
 * configure_scan. */

static uintptr_t meta_tag = 0, link_tag = 0, script_tag = 0, html_ns = 0;

/* The first attribute of the element named ``name`` (ASCII, as lexbor stores names), or NULL. */
static void *
attr_named(void *node, const char *name, size_t len)
{
    for (void *attr = first_attr(node); attr != NULL; attr = next_attr(attr)) {
        size_t got = 0;
        const unsigned char *n = attr_name(attr, &got);
        if (n != NULL && got == len && memcmp(n, name, len) == 0)
            return attr;
    }
    return NULL;
}

/* The next node of a walk over everything under root, in document order (NULL: done). */
static void *
next_in_tree(void *node, void *root)
{
    void *child = first_child(node);
    if (child != NULL)
        return child;
    while (node != root) {
        void *sibling = next_sibling(node);
        if (sibling != NULL)
            return sibling;
        node = parent_of(node);
        if (node == NULL)
            return NULL;
    }
    return NULL;
}

/* White space between the tokens of an attribute's value (CSS's [attr~=...]). */
static inline int
css_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Where the next token of ``value`` begins, at or after *at, tokens split where ``space`` says;
 * *at is set to where it ends (the token is empty when none is left). */
static inline size_t
next_token(const unsigned char *value, size_t len, size_t *at, int (*space)(unsigned char))
{
    size_t i = *at;
    while (i < len && space(value[i]))
        i++;
    size_t start = i;
    while (i < len && !space(value[i]))
        i++;
    *at = i;
    return start;
}

/* Whether ``value`` holds ``word`` (lower-case ASCII) as one of its white-space separated
 * tokens; ``fold``: ASCII letters compared in any case (lexbor does so for rel on HTML elements,
 * one of the attributes HTML lists as case-insensitive, and not on SVG or MathML ones). */
static int
has_token(const unsigned char *value, size_t len, const char *word, size_t wlen, int fold)
{
    size_t i = 0;
    while (i < len) {
        size_t start = next_token(value, len, &i, css_space);
        if (i - start == wlen && (fold ? starts_ci(value, len, start, word)
                                       : memcmp(value + start, word, wlen) == 0))
            return 1;
    }
    return 0;
}

/* The <meta> keys bot.metadata reads (lower-case ASCII, set by configure_meta_keys): a <meta>
 * none of whose keys is one of them is not handed over (viewport, images, descriptions: most of
 * a page's). None set: every <meta> is. */
#define MAX_META_KEYS 128
static int n_meta_keys = -1;
static char meta_keys[MAX_META_KEYS][32];
static size_t meta_key_len[MAX_META_KEYS];

/* Whether a key value may name a key that is read: one of its white-space separated tokens,
 * lower-cased, is one, as bot.metadata._read_metas splits and lower-cases it. A value with a
 * non-ASCII byte is handed over for Python to decide (str.lower() is Unicode's). */
static int
key_is_read(const unsigned char *value, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (value[i] >= 128)
            return 1;
    size_t i = 0;
    while (i < len) {
        size_t start = next_token(value, len, &i, ascii_space);
        size_t n = i - start;
        for (int k = 0; n > 0 && k < n_meta_keys; k++)
            if (meta_key_len[k] == n && starts_ci(value, len, start, meta_keys[k]))
                return 1;
    }
    return 0;
}

/* One element for scan_meta: a <meta> with a non-empty content as (content, property, name,
 * itemprop, http-equiv), None where absent or valueless; the href of a <link> whose rel holds
 * "canonical" ("" where absent). */
static int
visit_meta(void *node, uintptr_t id, PyObject *metas, PyObject *hrefs)
{
    static const char *const keys[] = {"content", "property", "name", "itemprop", "http-equiv"};
    if (id == meta_tag) {
        void *content = attr_named(node, "content", 7);
        size_t len = 0;
        const unsigned char *value = content ? attr_value(content, &len) : NULL;
        if (value == NULL || len == 0)
            return 0;
        if (n_meta_keys >= 0) {
            int read = 0;
            for (int k = 1; k < 5 && !read; k++) {
                void *key = attr_named(node, keys[k], strlen(keys[k]));
                size_t key_len = 0;
                const unsigned char *key_value = key ? attr_value(key, &key_len) : NULL;
                read = key_value != NULL && key_is_read(key_value, key_len);
            }
            if (!read)
                return 0;
        }
        PyObject *row = PyTuple_New(5);
        if (row == NULL)
            return -1;
        for (int k = 0; k < 5; k++) {
            PyObject *v = value_of(k == 0 ? content : attr_named(node, keys[k], strlen(keys[k])));
            if (v == NULL) {
                Py_DECREF(row);
                return -1;
            }
            PyTuple_SET_ITEM(row, k, v);
        }
        int rc = PyList_Append(metas, row);
        Py_DECREF(row);
        return rc;
    }
    if (id == link_tag) {
        void *rel = attr_named(node, "rel", 3);
        size_t len = 0;
        const unsigned char *value = rel ? attr_value(rel, &len) : NULL;
        int fold = ((vb_node *)node)->ns == html_ns;
        if (value == NULL || !has_token(value, len, "canonical", 9, fold))
            return 0;
        void *href = attr_named(node, "href", 4);
        PyObject *v = href ? value_of(href) : Py_NewRef(Py_None);
        if (v == Py_None) {
            Py_DECREF(v);
            v = PyUnicode_FromStringAndSize("", 0);
        }
        if (v == NULL)
            return -1;
        int rc = PyList_Append(hrefs, v);
        Py_DECREF(v);
        return rc;
    }
    return 0;
}

/* One element for scan_jsonld: the text of a <script> whose type contains "ld+json" in any case
 * (its text nodes joined, as LexborNode.text(deep=True) joins them). */
static int
visit_jsonld(void *node, uintptr_t id, PyObject *texts, unsigned char **buf, size_t *cap)
{
    if (id != script_tag)
        return 0;
    void *type = attr_named(node, "type", 4);
    size_t len = 0;
    const unsigned char *value = type ? attr_value(type, &len) : NULL;
    if (value == NULL || !contains_folded(value, len, "ld+json", 7))
        return 0;
    size_t used = 0;
    for (void *inner = first_child(node); inner != NULL; inner = next_in_tree(inner, node)) {
        if (tag_id_of(inner) != TAG_TEXT)
            continue;
        vb_chardata *cd = (vb_chardata *)inner;
        if (cd->data.data == NULL || cd->data.length == 0)
            continue;
        if (byte_room(buf, used, cap, cd->data.length) < 0)
            return -1;
        memcpy(*buf + used, cd->data.data, cd->data.length);
        used += cd->data.length;
    }
    PyObject *text = decode(*buf ? *buf : (const unsigned char *)"", used);
    if (text == NULL)
        return -1;
    int rc = PyList_Append(texts, text);
    Py_DECREF(text);
    return rc;
}

/* configure_meta_keys(keys): the <meta> keys that are read (lower-case ASCII, 1 to 31 bytes). */
static PyObject *
fastwalk_configure_meta_keys(PyObject *self, PyObject *args)
{
    PyObject *keys;
    if (!PyArg_ParseTuple(args, "O!:configure_meta_keys", &PyTuple_Type, &keys))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(keys);
    if (n > MAX_META_KEYS) {
        PyErr_SetString(PyExc_ValueError, "configure_meta_keys() takes at most 128 keys");
        return NULL;
    }
    /* All checked before any is kept: a refused call leaves the keys as they were. */
    for (int pass = 0; pass < 2; pass++) {
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *key = PyTuple_GET_ITEM(keys, i);
            Py_ssize_t len = 0;
            const char *data = PyUnicode_Check(key) ? PyUnicode_AsUTF8AndSize(key, &len) : NULL;
            int ok = data != NULL && len > 0 && len < 32;
            for (Py_ssize_t j = 0; ok && j < len; j++)
                ok = data[j] > 32 && data[j] < 127 && !(data[j] >= 'A' && data[j] <= 'Z');
            if (!ok) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError,
                                    "configure_meta_keys(): keys are lower-case ASCII, 1 to 31 "
                                    "bytes, without spaces");
                return NULL;
            }
            if (pass == 1) {
                memcpy(meta_keys[i], data, (size_t)len);
                meta_keys[i][len] = '\0'; /* starts_ci reads up to it */
                meta_key_len[i] = (size_t)len;
            }
        }
    }
    n_meta_keys = (int)n;
    Py_RETURN_NONE;
}

static PyObject *
fastwalk_configure_scan(PyObject *self, PyObject *args)
{
    unsigned long long meta, link, script, html_element;
    if (!PyArg_ParseTuple(args, "KKKK:configure_scan", &meta, &link, &script, &html_element))
        return NULL;
    if (!bound || html_element == 0) {
        PyErr_SetString(PyExc_RuntimeError, "bind() and check_layout() first, and an HTML element's mem_id");
        return NULL;
    }
    if (meta == 0 || link == 0 || script == 0 || meta == link || link == script) {
        PyErr_SetString(PyExc_ValueError, "configure_scan() takes three distinct tag ids");
        return NULL;
    }
    meta_tag = (uintptr_t)meta;
    link_tag = (uintptr_t)link;
    script_tag = (uintptr_t)script;
    html_ns = ((vb_node *)(uintptr_t)html_element)->ns;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ metadata candidates */

/* bot.metadata asked lexbor's selector engine about ten questions of every page (the <title> in
 * <head>, itemprop markup, rel=author links, elements whose class or id holds "byline", "author"
 * or a date word, <time> elements): each a walk of the whole tree, and the [class*=...] lists
 * match every element against up to eight selectors. scan_page answers them all in one walk and
 * hands back selectolax nodes, made as LexborNode.new makes them (the field offsets are found on
 * a node selectolax made, by configure_nodes). tests/test_metadata_speed_equivalence.py compares
 * the answers with the selector queries. */

static PyTypeObject *node_type = NULL, *parser_type = NULL;
static Py_ssize_t node_off = 0, parser_off = 0;
static uintptr_t title_tag = 0, head_tag = 0, a_tag = 0, time_tag = 0;
static PyObject *no_args = NULL;

enum { LIST_BYLINE, LIST_AUTHOR, LIST_DATE, N_LISTS };
#define MAX_PARTS 12
typedef struct {
    int n;
    int part[MAX_PARTS]; /* index into the distinct parts below */
} part_list;
static part_list part_lists[N_LISTS];
/* The distinct (attribute slot, word) parts of all lists, and for each slot and byte the parts
 * whose word starts with that byte: a value is read once for all its words. */
#define MAX_DISTINCT 32
static int n_distinct = 0;
static int distinct_slot[MAX_DISTINCT];
static char distinct_word[MAX_DISTINCT][24];
static size_t distinct_len[MAX_DISTINCT];

/* A LexborNode for ``node`` of ``parser``'s tree, as LexborNode.new makes one. */
static PyObject *
make_node(void *node, PyObject *parser)
{
    PyObject *obj = node_type->tp_new(node_type, no_args, NULL);
    if (obj == NULL)
        return NULL;
    *(void **)((char *)obj + node_off) = node;
    PyObject **slot = (PyObject **)((char *)obj + parser_off);
    Py_XSETREF(*slot, Py_NewRef(parser));
    return obj;
}

static int
append_node(PyObject *list, void *node, PyObject *parser)
{
    PyObject *obj = make_node(node, parser);
    if (obj == NULL)
        return -1;
    int rc = PyList_Append(list, obj);
    Py_DECREF(obj);
    return rc;
}

/* The attributes the element queries read, each read once per element. */
enum { SLOT_CLASS, SLOT_ID, SLOT_TESTID, SLOT_ITEMPROP, SLOT_REL, N_SLOTS };
static const char *const slot_names[N_SLOTS] = {"class", "id", "data-testid", "itemprop", "rel"};

typedef struct {
    const unsigned char *value[N_SLOTS]; /* NULL: absent or valueless */
    size_t len[N_SLOTS];
    int present[N_SLOTS];
} slot_values;

static int
slot_of(const char *name, size_t len)
{
    for (int i = 0; i < N_SLOTS; i++)
        if (strlen(slot_names[i]) == len && memcmp(slot_names[i], name, len) == 0)
            return i;
    return -1;
}

static int
slot_by_name(void *attr)
{
    size_t got = 0;
    const unsigned char *n = attr_name(attr, &got);
    return n == NULL ? -1 : slot_of((const char *)n, got);
}

/* Slots by attribute name id, for one scan: a page has a few dozen distinct attribute names and
 * thousands of attributes, and lexbor's qualified name is a hash lookup. An attribute's name id
 * is its lower-case local name; the HTML parser lower-cases attribute names, and the names it
 * gives another case (SVG's viewBox, MathML's definitionURL) or a prefix (xlink:href) are none
 * of the slots' names, which are read by name whenever a prefix is set. */
#define NAME_CACHE 256
typedef struct {
    uintptr_t id[NAME_CACHE]; /* 0: empty */
    signed char slot[NAME_CACHE];
} name_cache;

static int
slot_of_attr(name_cache *cache, void *attr)
{
    vb_node *a = (vb_node *)attr;
    uintptr_t id = a->local_name;
    if (id == 0 || a->prefix != 0)
        return slot_by_name(attr);
    size_t h = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 56);
    for (int probe = 0; probe < NAME_CACHE; probe++, h = (h + 1) % NAME_CACHE) {
        if (cache->id[h] == id)
            return cache->slot[h];
        if (cache->id[h] == 0) {
            int slot = slot_by_name(attr);
            cache->id[h] = id;
            cache->slot[h] = (signed char)slot;
            return slot;
        }
    }
    return slot_by_name(attr); /* the cache is full */
}

/* The first value of each slot's attribute, as attr_named would find it. */
static void
read_slots(void *node, slot_values *out, name_cache *cache)
{
    memset(out, 0, sizeof(*out));
    for (void *attr = first_attr(node); attr != NULL; attr = next_attr(attr)) {
        int slot = slot_of_attr(cache, attr);
        if (slot < 0 || out->present[slot])
            continue;
        out->present[slot] = 1;
        out->value[slot] = attr_value(attr, &out->len[slot]);
    }
}

static uint32_t starting_with[N_SLOTS][256];
/* For each slot and byte, the parts whose word's second byte it is (one-byte words: every
 * byte): a value is compared with a word only where both its first two bytes agree, since the
 * words' first letters (a, b, d, m, p, t) start many class names. */
static uint32_t then_with[N_SLOTS][256];
static uint32_t one_byte[N_SLOTS]; /* the parts whose word is one byte long */

/* ``found`` and the distinct parts of one slot whose word ``value`` holds (parts_found). */
static uint32_t
slot_parts(int slot, const unsigned char *value, size_t len, uint32_t found)
{
    const uint32_t *first = starting_with[slot], *second = then_with[slot];
    for (size_t i = 0; i + 1 < len; i++) {
        for (uint32_t m = first[value[i]] & second[value[i + 1]] & ~found; m != 0; m &= m - 1) {
            int b = __builtin_ctz(m);
            if (len - i >= distinct_len[b] &&
                memcmp(value + i, distinct_word[b], distinct_len[b]) == 0)
                found |= 1u << b;
        }
    }
    if (len > 0) /* only a one-byte word can start at the last byte */
        found |= first[value[len - 1]] & one_byte[slot];
    return found;
}

/* The distinct parts whose word the element's attribute holds (a bit each): case-sensitive,
 * valueless attributes hold nothing. One pass over each value; a class value the walk has a memo
 * entry for (``ce``, found for ``classed``, the same attribute's bytes) is read once a walk,
 * since each slot's parts are its own. */
static uint32_t
parts_found(const slot_values *attrs, class_entry *ce, const unsigned char *classed)
{
    uint32_t found = 0;
    for (int slot = 0; slot < N_SLOTS; slot++) {
        const unsigned char *value = attrs->value[slot];
        size_t len = attrs->len[slot];
        if (value == NULL)
            continue;
        if (slot == SLOT_CLASS && ce != NULL && value == classed) {
            if (!ce->has_parts) {
                ce->parts = slot_parts(slot, value, len, 0);
                ce->has_parts = 1;
            }
            found |= ce->parts;
            continue;
        }
        found = slot_parts(slot, value, len, found);
    }
    return found;
}

/* How many parts of ``list`` (_ContainsList.parts) the element holds, as _ContainsList.first
 * counts them (a part listed twice counts twice). */
static int
parts_held(uint32_t found, const part_list *list)
{
    int count = 0;
    for (int i = 0; i < list->n; i++)
        count += (found >> list->part[i]) & 1;
    return count;
}

/* How many of ``words`` are tokens of the slot's value: a selector list gives an element once
 * per selector it matches. */
static int
tokens_held(const slot_values *attrs, int slot, const char *const *words, int n_words, int fold)
{
    const unsigned char *value = attrs->value[slot];
    if (value == NULL)
        return 0;
    int count = 0;
    for (int i = 0; i < n_words; i++)
        count += has_token(value, attrs->len[slot], words[i], strlen(words[i]), fold);
    return count;
}

enum { SCAN_META = 1, SCAN_JSONLD = 2, SCAN_NODES = 4 };
enum { L_ITEMPROP_AUTHORS, L_REL, L_BYLINE, L_AUTHOR, L_DATE, L_TIMES, L_ITEMPROP_DATES, N_OUT };

/* What one scan has found so far: scan_tree walks the tree itself, walk_scan visits each
 * element in its own walk of the page. */
typedef struct {
    int what;
    PyObject *parser;
    Py_ssize_t limit;
    PyObject *metas, *hrefs, *texts;
    unsigned char *buf;
    size_t cap;
    PyObject *lists[N_OUT];
    Py_ssize_t entries[N_OUT];
    PyObject *title;
    int has_itemprop;
    name_cache *cache;
} scan_state;

static void
scan_free(scan_state *sc)
{
    Py_CLEAR(sc->metas);
    Py_CLEAR(sc->hrefs);
    Py_CLEAR(sc->texts);
    PyMem_Free(sc->buf);
    sc->buf = NULL;
    PyMem_Free(sc->cache);
    sc->cache = NULL;
    Py_CLEAR(sc->title);
    for (int i = 0; i < N_OUT; i++)
        Py_CLEAR(sc->lists[i]);
}

/* Ready ``sc`` for a scan (0), or -1 with an exception set; scan_free frees it either way. */
static int
scan_begin(scan_state *sc, unsigned long long root_id, PyObject *parser, Py_ssize_t limit,
           int what)
{
    memset(sc, 0, sizeof(*sc));
    sc->what = what;
    sc->parser = parser;
    sc->limit = limit;
    if (!bound || meta_tag == 0 || ((what & SCAN_NODES) && node_type == NULL)) {
        PyErr_SetString(PyExc_RuntimeError, "bind(), check_layout(), configure_scan() and configure_nodes() first");
        return -1;
    }
    if (root_id == 0 || ((what & SCAN_NODES) && !PyObject_TypeCheck(parser, parser_type))) {
        PyErr_SetString(PyExc_ValueError, "a scan takes a root node's mem_id and its parser");
        return -1;
    }
    if ((sc->cache = PyMem_Calloc(1, sizeof(name_cache))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < N_OUT; i++)
        if ((sc->lists[i] = PyList_New(0)) == NULL)
            return -1;
    if (((what & SCAN_META) &&
         ((sc->metas = PyList_New(0)) == NULL || (sc->hrefs = PyList_New(0)) == NULL)) ||
        ((what & SCAN_JSONLD) && (sc->texts = PyList_New(0)) == NULL))
        return -1;
    return 0;
}

/* One element of the scan, in document order: 0, or -1 on error. */
static int
scan_element(scan_state *sc, void *node, class_entry *ce, const unsigned char *classed)
{
    static const char *const author_props[] = {"author", "creator"};
    static const char *const date_props[] = {"datePublished", "dateCreated"};
    static const char *const rel_author[] = {"author"};
    int what = sc->what;
    uintptr_t id = tag_id_of(node);
    if ((what & SCAN_META) && visit_meta(node, id, sc->metas, sc->hrefs) < 0)
        return -1;
    if ((what & SCAN_JSONLD) && visit_jsonld(node, id, sc->texts, &sc->buf, &sc->cap) < 0)
        return -1;
    if (!(what & SCAN_NODES))
        return 0;
    if (sc->title == NULL && id == title_tag) {
        void *parent = parent_of(node);
        if (parent != NULL && type_of(parent) == NODE_ELEMENT && tag_id_of(parent) == head_tag &&
            (sc->title = make_node(node, sc->parser)) == NULL)
            return -1;
    }
    /* How many times each list gets this element. */
    int times[N_OUT] = {0};
    slot_values attrs;
    read_slots(node, &attrs, sc->cache);
    if (attrs.present[SLOT_ITEMPROP]) {
        sc->has_itemprop = 1;
        times[L_ITEMPROP_AUTHORS] = tokens_held(&attrs, SLOT_ITEMPROP, author_props, 2, 0);
        times[L_ITEMPROP_DATES] = tokens_held(&attrs, SLOT_ITEMPROP, date_props, 2, 0);
    }
    if (id == a_tag)
        times[L_REL] =
            tokens_held(&attrs, SLOT_REL, rel_author, 1, ((vb_node *)node)->ns == html_ns);
    if (id == time_tag)
        times[L_TIMES] = 1;
    uint32_t found = parts_found(&attrs, ce, classed);
    for (int k = 0; k < N_LISTS; k++)
        times[L_BYLINE + k] = found ? parts_held(found, &part_lists[k]) : 0;
    for (int i = 0; i < N_OUT; i++) {
        if (times[i] == 0 || sc->entries[i] >= sc->limit)
            continue;
        int first_list = i == L_BYLINE || i == L_AUTHOR || i == L_DATE;
        /* _ContainsList.first lists an element once and counts its parts; a css() list
         * repeats it once per selector it matches. */
        for (int r = 0; r < (first_list ? 1 : times[i]) && sc->entries[i] < sc->limit; r++) {
            if (append_node(sc->lists[i], node, sc->parser) < 0)
                return -1;
            sc->entries[i] += first_list ? times[i] : 1;
        }
    }
    return 0;
}

/* The scan's answer (see scan_tree), or NULL on error. */
static PyObject *
scan_end(scan_state *sc)
{
    int what = sc->what;
    PyObject *nodes = NULL;
    if (what & SCAN_NODES) {
        nodes = Py_BuildValue("(OOOOOOOOO)", sc->title ? sc->title : Py_None,
                              sc->has_itemprop ? Py_True : Py_False,
                              sc->lists[L_ITEMPROP_AUTHORS], sc->lists[L_REL],
                              sc->lists[L_BYLINE], sc->lists[L_AUTHOR], sc->lists[L_DATE],
                              sc->lists[L_TIMES], sc->lists[L_ITEMPROP_DATES]);
        if (nodes == NULL)
            return NULL;
    }
    PyObject *parts[4];
    int n_parts = 0;
    if (what & SCAN_META) {
        parts[n_parts++] = sc->metas;
        parts[n_parts++] = sc->hrefs;
    }
    if (what & SCAN_JSONLD)
        parts[n_parts++] = sc->texts;
    if (nodes != NULL)
        parts[n_parts++] = nodes;
    PyObject *out = PyTuple_New(n_parts);
    for (int i = 0; out != NULL && i < n_parts; i++)
        PyTuple_SET_ITEM(out, i, Py_NewRef(parts[i]));
    Py_XDECREF(nodes);
    return out;
}

/* The scans in one walk of the tree under root_id: ``what`` says which. Returns a tuple of
 * metas and hrefs (SCAN_META), the JSON-LD texts (SCAN_JSONLD) and the node answers
 * (SCAN_NODES), in that order, each part only if asked. The node answers are (title,
 * has_itemprop, itemprop_authors, rel_authors, byline, author, date, times, itemprop_dates), as
 * bot.metadata._NODE_QUERIES answers them with selectors: the css() lists stop at ``limit``
 * entries (metadata reads no more); byline, author and date are _ContainsList.first(tree, limit)
 * of the three lists configure_nodes was given. */
static PyObject *
scan_tree(unsigned long long root_id, PyObject *parser, Py_ssize_t limit, int what)
{
    scan_state sc;
    PyObject *out = NULL;
    if (scan_begin(&sc, root_id, parser, limit, what) < 0)
        goto done;
    void *root = (void *)(uintptr_t)root_id;
    for (void *node = root; node != NULL; node = next_in_tree(node, root))
        if (type_of(node) == NODE_ELEMENT && scan_element(&sc, node, NULL, NULL) < 0)
            goto done;
    out = scan_end(&sc);
done:
    scan_free(&sc);
    return out;
}

/* walk_scan(walk_root, walker, scan_root, parser, limit) -> scan_page(scan_root, parser, limit),
 * having walked walk_root as walk(walk_root, walker) does: both in one pass over the tree. Why:
 * the two walks went over the same nodes and attributes one after the other, and a page's tree
 * (about 1 MB) does not stay in the caches between them. walk_root is scan_root or under it
 * (the body under the document element); the walk's part runs while the pass is inside
 * walk_root and not inside a subtree the walk skips, which the scan still enters. A walk_root
 * outside scan_root's tree is walked apart. */
static PyObject *
fastwalk_walk_scan(PyObject *self, PyObject *args)
{
    unsigned long long walk_id, scan_id;
    PyObject *walker, *parser;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "KOKOn:walk_scan", &walk_id, &walker, &scan_id, &parser, &limit))
        return NULL;
    if (walk_id == 0) {
        PyErr_SetString(PyExc_ValueError, "no root node");
        return NULL;
    }
    void *walk_root = (void *)(uintptr_t)walk_id, *root = (void *)(uintptr_t)scan_id;
    void *up = walk_root;
    while (scan_id != 0 && up != NULL && up != root)
        up = parent_of(up);
    walk_run w;
    scan_state sc;
    PyObject *out = NULL;
    memset(&sc, 0, sizeof(sc));
    if (walk_begin(&w, walker) < 0 ||
        scan_begin(&sc, scan_id, parser, limit, SCAN_META | SCAN_JSONLD | SCAN_NODES) < 0)
        goto done;
    if (up == NULL) {
        /* The walk's root is outside the scan's tree (lexbor keeps a <body> that a <frameset>
         * replaced as the document's body): the two passes one after the other. */
        if (run_walk(&w.st, w.cache, &w.spare, walk_root) < 0)
            goto done;
        scan_free(&sc);
        out = scan_tree(scan_id, parser, limit, SCAN_META | SCAN_JSONLD | SCAN_NODES);
        goto done;
    }
    walk_state *st = &w.st;
    /* walking: 0 before walk_root, 1 inside it, 2 after; skipped: the node whose subtree the
     * walk does not enter (NULL: none). */
    int walking = 0;
    void *skipped = NULL, *node = root;
    for (;;) {
        if (node == walk_root)
            walking = 1;
        /* The walk's part first: the scan takes the class memo entry it found (the two parts
         * read the tree and keep their own answers, so their order changes neither). */
        if (walking == 1 && skipped == NULL) {
            int descend = enter(st, w.cache, &w.spare, node);
            if (descend < 0)
                goto done;
            if (!descend)
                skipped = node;
        }
        int classed = st->classed_node == node;
        if (type_of(node) == NODE_ELEMENT &&
            scan_element(&sc, node, classed ? st->classed_entry : NULL,
                         classed ? st->classed_value : NULL) < 0)
            goto done;
        void *child = first_child(node);
        if (child != NULL) {
            node = child;
            continue;
        }
        for (;;) {
            if (walking == 1 && (skipped == NULL || skipped == node)) {
                skipped = NULL;
                if (finish(st, node) < 0)
                    goto done;
                if (node == walk_root) {
                    walking = 2;
                    if (walk_end(st) < 0)
                        goto done;
                }
            }
            if (node == root)
                goto walked;
            void *sibling = next_sibling(node);
            if (sibling != NULL) {
                node = sibling;
                break;
            }
            node = parent_of(node);
            if (node == NULL) {
                PyErr_SetString(PyExc_RuntimeError, "walked out of the tree");
                goto done;
            }
        }
    }
walked:
    out = scan_end(&sc);
done:
    scan_free(&sc);
    walk_free(&w);
    return out;
}

/* ------------------------------------------------------------------ an element's lines */

/* bot.metadata._lines_of in C: the text of an element with a line break where a block or <br>
 * breaks it, as a byline's reader wants it. Why: it read the element through selectolax, a
 * Python node object, tag name and text string for every node under the element. */
#define MAX_LINE_TAGS 48
static char line_tags[2][MAX_LINE_TAGS][16]; /* [0]: breaks a line; [1]: a widget, no byline */
static size_t line_tag_len[2][MAX_LINE_TAGS];
static int n_line_tags[2] = {-1, -1}; /* -1: configure_lines() not called */
#define NODE_TEXT 3

static int
line_tag_in(int which, const unsigned char *name, size_t len)
{
    for (int i = 0; i < n_line_tags[which]; i++)
        if (line_tag_len[which][i] == len && memcmp(line_tags[which][i], name, len) == 0)
            return 1;
    return 0;
}

/* configure_lines(break_tags, widget_tags): the tag names of _LINE_BREAK_TAGS and _WIDGET_TAGS. */
static PyObject *
fastwalk_configure_lines(PyObject *self, PyObject *args)
{
    PyObject *sets[2];
    if (!PyArg_ParseTuple(args, "O!O!:configure_lines", &PyTuple_Type, &sets[0], &PyTuple_Type,
                          &sets[1]))
        return NULL;
    for (int which = 0; which < 2; which++) {
        Py_ssize_t n = PyTuple_GET_SIZE(sets[which]);
        if (n > MAX_LINE_TAGS) {
            PyErr_SetString(PyExc_ValueError, "configure_lines: at most 48 names in each set");
            return NULL;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t len;
            const char *name = PyUnicode_Check(PyTuple_GET_ITEM(sets[which], i))
                                   ? PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(sets[which], i), &len)
                                   : NULL;
            if (name == NULL || len < 1 || len >= 16) {
                PyErr_Clear();
                PyErr_SetString(PyExc_ValueError, "configure_lines: tag names of 1 to 15 bytes");
                return NULL;
            }
        }
    }
    for (int which = 0; which < 2; which++) {
        Py_ssize_t n = PyTuple_GET_SIZE(sets[which]);
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t len;
            const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(sets[which], i), &len);
            memcpy(line_tags[which][i], name, (size_t)len);
            line_tag_len[which][i] = (size_t)len;
        }
        n_line_tags[which] = (int)n;
    }
    Py_RETURN_NONE;
}

/* lines_of(node_mem_id, limit, max_size) -> str: _lines_of(node, limit) with max_size for its
 * _MAX_BYLINE_CHARS * 3. The nodes come in selectolax's traverse(include_text=True) order (the
 * element itself first); a text node's text is decoded as selectolax decodes it (invalid UTF-8
 * replaced), one node at a time, and counted in characters. */
static PyObject *
fastwalk_lines_of(PyObject *self, PyObject *args)
{
    unsigned long long root_id;
    Py_ssize_t limit, max_size;
    if (!PyArg_ParseTuple(args, "Knn:lines_of", &root_id, &limit, &max_size))
        return NULL;
    if (!bound || n_line_tags[0] < 0 || element_name == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "bind(), check_layout() and configure_lines() first");
        return NULL;
    }
    if (root_id == 0) {
        PyErr_SetString(PyExc_ValueError, "lines_of takes a node's mem_id");
        return NULL;
    }
    void *root = (void *)(uintptr_t)root_id;
    PyObject *parts = PyList_New(0);
    if (parts == NULL)
        return NULL;
    Py_ssize_t count = 0, size = 0;
    for (void *node = root; node != NULL; node = next_in_tree(node, root), count++) {
        if (count > limit || size > max_size) {
            Py_DECREF(parts);
            return PyUnicode_New(0, 0);
        }
        uintptr_t tag = tag_id_of(node);
        PyObject *piece = NULL;
        if (tag == TAG_TEXT) {
            vb_chardata *cd = (vb_chardata *)node;
            if (type_of(node) == NODE_TEXT && cd->data.data != NULL)
                piece = PyUnicode_DecodeUTF8((const char *)cd->data.data,
                                             (Py_ssize_t)cd->data.length, "replace");
            else
                piece = PyUnicode_New(0, 0);
            if (piece == NULL)
                goto fail;
            size += PyUnicode_GET_LENGTH(piece);
        }
        else if (tag != TAG_DOCUMENT && tag != TAG_COMMENT && tag != TAG_DOCTYPE &&
                 type_of(node) == NODE_ELEMENT) {
            size_t len = 0;
            const unsigned char *name = element_name(node, &len);
            if (name == NULL)
                continue;
            if (line_tag_in(0, name, len)) {
                if ((piece = PyUnicode_FromStringAndSize("\n", 1)) == NULL)
                    goto fail;
            }
            else if (line_tag_in(1, name, len)) {
                Py_DECREF(parts);
                return PyUnicode_New(0, 0); /* a widget, not a byline */
            }
        }
        if (piece != NULL) {
            int rc = PyList_Append(parts, piece);
            Py_DECREF(piece);
            if (rc < 0)
                goto fail;
        }
    }
    PyObject *empty = PyUnicode_New(0, 0);
    PyObject *out = empty ? PyUnicode_Join(empty, parts) : NULL;
    Py_XDECREF(empty);
    Py_DECREF(parts);
    return out;
fail:
    Py_DECREF(parts);
    return NULL;
}

/* scan_meta(root) -> (metas, hrefs): see visit_meta. */
static PyObject *
fastwalk_scan_meta(PyObject *self, PyObject *args)
{
    unsigned long long root_id;
    if (!PyArg_ParseTuple(args, "K:scan_meta", &root_id))
        return NULL;
    return scan_tree(root_id, NULL, 0, SCAN_META);
}

/* scan_jsonld(root) -> the JSON-LD texts under the node: see visit_jsonld. */
static PyObject *
fastwalk_scan_jsonld(PyObject *self, PyObject *args)
{
    unsigned long long root_id;
    if (!PyArg_ParseTuple(args, "K:scan_jsonld", &root_id))
        return NULL;
    PyObject *out = scan_tree(root_id, NULL, 0, SCAN_JSONLD);
    PyObject *texts = out ? Py_NewRef(PyTuple_GET_ITEM(out, 0)) : NULL;
    Py_XDECREF(out);
    return texts;
}

/* scan_page(root, parser, limit) -> (metas, hrefs, jsonld texts, node answers): every scan in
 * one walk, which is what a page's metadata reads. */
static PyObject *
fastwalk_scan_page(PyObject *self, PyObject *args)
{
    unsigned long long root_id;
    PyObject *parser;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "KOn:scan_page", &root_id, &parser, &limit))
        return NULL;
    return scan_tree(root_id, parser, limit, SCAN_META | SCAN_JSONLD | SCAN_NODES);
}

static int
fill_parts(part_list *list, PyObject *parts)
{
    if (!PyTuple_Check(parts) || PyTuple_GET_SIZE(parts) > MAX_PARTS) {
        PyErr_SetString(PyExc_ValueError, "parts: a tuple of at most 12 (name, word) pairs");
        return -1;
    }
    list->n = (int)PyTuple_GET_SIZE(parts);
    for (int i = 0; i < list->n; i++) {
        PyObject *pair = PyTuple_GET_ITEM(parts, i);
        const char *name, *word;
        Py_ssize_t nlen, wlen;
        if (!PyArg_ParseTuple(pair, "s#s#", &name, &nlen, &word, &wlen))
            return -1;
        int slot = slot_of(name, (size_t)nlen);
        if (slot < 0 || wlen == 0 || wlen >= 24) {
            PyErr_SetString(PyExc_ValueError,
                            "parts: names among class, id, data-testid, itemprop and rel; words of "
                            "1 to 23 bytes");
            return -1;
        }
        int d = 0;
        while (d < n_distinct && !(distinct_slot[d] == slot && distinct_len[d] == (size_t)wlen &&
                                   memcmp(distinct_word[d], word, (size_t)wlen) == 0))
            d++;
        if (d == n_distinct) {
            if (n_distinct == MAX_DISTINCT) {
                PyErr_SetString(PyExc_ValueError, "parts: at most 32 distinct (name, word) pairs");
                return -1;
            }
            distinct_slot[d] = slot;
            memcpy(distinct_word[d], word, (size_t)wlen);
            distinct_len[d] = (size_t)wlen;
            starting_with[slot][(unsigned char)word[0]] |= 1u << d;
            if (wlen == 1) {
                one_byte[slot] |= 1u << d;
                for (int c = 0; c < 256; c++)
                    then_with[slot][c] |= 1u << d;
            } else
                then_with[slot][(unsigned char)word[1]] |= 1u << d;
            n_distinct++;
        }
        list->part[i] = d;
    }
    return 0;
}

/* configure_nodes(sample, tag_ids, byline_parts, author_parts, date_parts): ``sample`` is a
 * LexborNode selectolax made, whose layout gives where a node keeps its lexbor node and its
 * parser; tag_ids are those of title, head, a and time. */
static PyObject *
fastwalk_configure_nodes(PyObject *self, PyObject *args)
{
    PyObject *sample, *parts[N_LISTS];
    unsigned long long tags[4];
    if (!PyArg_ParseTuple(args, "O(KKKK)OOO:configure_nodes", &sample, &tags[0], &tags[1],
                          &tags[2], &tags[3], &parts[0], &parts[1], &parts[2]))
        return NULL;
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "bind() and check_layout() first");
        return NULL;
    }
    PyObject *mem_id = PyObject_GetAttrString(sample, "mem_id");
    PyObject *parser = mem_id ? PyObject_GetAttrString(sample, "parser") : NULL;
    void *node = mem_id ? PyLong_AsVoidPtr(mem_id) : NULL;
    Py_XDECREF(mem_id);
    if (parser == NULL || node == NULL) {
        Py_XDECREF(parser);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "configure_nodes() takes a node of a parsed page");
        return NULL;
    }
    PyTypeObject *type = Py_TYPE(sample);
    Py_ssize_t found_node = 0, found_parser = 0;
    int seen_node = 0, seen_parser = 0;
    for (Py_ssize_t off = (Py_ssize_t)sizeof(PyObject);
         off + (Py_ssize_t)sizeof(void *) <= type->tp_basicsize; off += sizeof(void *)) {
        void *word = *(void **)((char *)sample + off);
        if (word == node) {
            found_node = off;
            seen_node++;
        }
        if (word == (void *)parser) {
            found_parser = off;
            seen_parser++;
        }
    }
    int ok = seen_node == 1 && seen_parser == 1 && type->tp_new != NULL;
    n_distinct = 0;
    memset(starting_with, 0, sizeof(starting_with));
    memset(then_with, 0, sizeof(then_with));
    memset(one_byte, 0, sizeof(one_byte));
    for (int k = 0; k < N_LISTS && ok; k++)
        if (fill_parts(&part_lists[k], parts[k]) < 0) {
            Py_CLEAR(node_type); /* the tables are half made: scan_page refuses to run */
            Py_DECREF(parser);
            return NULL;
        }
    if (ok && no_args == NULL && (no_args = PyTuple_New(0)) == NULL) {
        Py_DECREF(parser);
        return NULL;
    }
    if (ok) {
        Py_XSETREF(node_type, (PyTypeObject *)Py_NewRef((PyObject *)type));
        Py_XSETREF(parser_type, (PyTypeObject *)Py_NewRef((PyObject *)Py_TYPE(parser)));
        node_off = found_node;
        parser_off = found_parser;
        title_tag = (uintptr_t)tags[0];
        head_tag = (uintptr_t)tags[1];
        a_tag = (uintptr_t)tags[2];
        time_tag = (uintptr_t)tags[3];
    }
    Py_DECREF(parser);
    return PyBool_FromLong(ok);
}

/* The two counts of bot.extract._too_deep's first bound in one pass over the bytes, without
 * branches (bytes.count runs twice, byte by byte). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize")))
#endif
static PyObject *
fastwalk_count_tags(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const unsigned char *p = view.buf;
    Py_ssize_t n = view.len, opens = 0, closes = 0;
    /* Counted in byte-wide counters over blocks of 255 bytes, which compilers vectorise. */
    for (Py_ssize_t start = 0; start + 1 < n; start += 255) {
        Py_ssize_t stop = n - 1 < start + 255 ? n - 1 : start + 255;
        uint8_t o = 0, c = 0;
        for (Py_ssize_t i = start; i < stop; i++) {
            uint8_t lt = p[i] == '<';
            o += lt;
            c += lt & (p[i + 1] == '/');
        }
        opens += o;
        closes += c;
    }
    if (n > 0)
        opens += p[n - 1] == '<';
    PyBuffer_Release(&view);
    return Py_BuildValue("(nn)", opens, closes);
}

static PyMethodDef methods[] = {
    {"bind", fastwalk_bind, METH_VARARGS,
     "bind(path): find lexbor's functions in selectolax's loaded extension module."},
    {"check_layout", fastwalk_check_layout, METH_VARARGS,
     "check_layout(root_mem_id) -> bool: the node fields read directly equal lexbor's accessors."},
    {"configure", fastwalk_configure, METH_VARARGS,
     "configure(tag_info, block_marks, popup_class, hidden_by, popup_words)"},
    {"configure_tags", fastwalk_configure_tags, METH_VARARGS,
     "configure_tags(((tag_id, name), ...)): the facts of lexbor's static tags, made once."},
    {"configure_nodes", fastwalk_configure_nodes, METH_VARARGS,
     "configure_nodes(sample_node, (title, head, a, time tag ids), byline, author, date parts)"},
    {"configure_lines", fastwalk_configure_lines, METH_VARARGS,
     "configure_lines(break_tags, widget_tags): the tag names bot.metadata._lines_of reads."},
    {"lines_of", fastwalk_lines_of, METH_VARARGS,
     "lines_of(node_mem_id, limit, max_size) -> str: bot.metadata._lines_of(node, limit)."},
    {"walk_scan", fastwalk_walk_scan, METH_VARARGS,
     "walk_scan(walk_root_mem_id, walker, scan_root_mem_id, parser, limit) -> scan_page's answer, "
     "having walked walk_root as walk() does, in one pass."},
    {"scan_page", fastwalk_scan_page, METH_VARARGS,
     "scan_page(root_mem_id, parser, limit) -> (metas, hrefs, jsonld texts, node answers)."},
    {"configure_meta_keys", fastwalk_configure_meta_keys, METH_VARARGS,
     "configure_meta_keys(keys): the <meta> keys bot.metadata reads; others are not handed over."},
    {"configure_scan", fastwalk_configure_scan, METH_VARARGS,
     "configure_scan(meta_tag_id, link_tag_id, script_tag_id, html_element_mem_id)"},
    {"scan_meta", fastwalk_scan_meta, METH_VARARGS,
     "scan_meta(root_mem_id) -> (metas, canonical hrefs): see bot.metadata._meta_and_canonical."},
    {"scan_jsonld", fastwalk_scan_jsonld, METH_VARARGS,
     "scan_jsonld(root_mem_id) -> the texts of the JSON-LD scripts under the node."},
    {"count_tags", fastwalk_count_tags, METH_O,
     "count_tags(data) -> (data.count(b'<'), data.count(b'</')), in one pass."},
    {"configure_marks", fastwalk_configure_marks, METH_VARARGS,
     "configure_marks(keep, boiler_words, boiler_roles, content_words) -> whether C decides "
     "block marks (False: the words are not all lower-case ASCII letters)"},
    {"configure_main", fastwalk_configure_main, METH_VARARGS,
     "configure_main(min_prose, main_share, marked_share, density_share, first_article_share, "
     "prose_kinds)"},
    {"make_blocks", fastwalk_make_blocks, METH_VARARGS,
     "make_blocks(records, flags, Block) -> (blocks, main_text, full_text)."},
    {"main_stretches", fastwalk_main_stretches, METH_O,
     "main_stretches(blocks) -> [(full start, full end, main start, main end)]: runs of main "
     "blocks in both texts."},
    {"mark_main", fastwalk_mark_main, METH_VARARGS,
     "mark_main(elems, blocks) -> list[bool]: _mark_main of bot.extract over the walk's records."},
    {"walk", fastwalk_walk, METH_VARARGS,
     "walk(root_mem_id, walker): _Walker.walk over the node with that selectolax mem_id."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "bot._fastwalk",
    "The block walk of bot.extract in C (see _fastwalk.c).", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fastwalk(void)
{
    if (n_kinds == 0) {
        for (int i = 0; i < KIND_FIXED; i++) {
            kind_names[i] = PyUnicode_InternFromString(fixed_kinds[i]);
            if (kind_names[i] == NULL)
                return NULL;
        }
        n_kinds = KIND_FIXED;
    }
    return PyModule_Create(&module);
}
