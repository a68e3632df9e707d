/* simplezarr._native: the per-chunk hot loop of a read, with the GIL released for a whole
 * batch (see simplezarr/native.py, which decides whether it is used).
 *
 *   read_files(prefix, keys, ranges) -> list
 *       Read the files prefix + key (a LocalStore's keys, validated by the caller):
 *       open, fstat, pread, close for the whole batch without the GIL. Each result is the
 *       bytes read, None for a missing file (or a directory: a prefix, not a key), or an
 *       int (an errno, 0 for "not a regular file" or "changed size while read") telling
 *       the caller to read that key itself, which names the failure the way it always
 *       does. ``ranges`` is None (whole files) or a list of (start, length) with start < 0
 *       a suffix and length -1 "to the end", clipped like slicing.
 *
 *   zstd_frames_exact(datas) -> bool
 *       Whether each buffer is exactly one zstd frame, walked through its block headers
 *       (the batched zstd decoder ignores what follows a frame; a chunk must not have it).
 *
 *   scatter(out, chunk_shape, items) -> list[int]
 *       Copy decoded chunks into ``out`` (any strided writable buffer, numpy's included):
 *       each item is (data, chunk_selection, out_selection), ``data`` the C-ordered bytes
 *       of one chunk of ``chunk_shape`` items of out's item size, the selections tuples of
 *       step-1 slices of equal lengths. The copies run without the GIL. Returns the
 *       indices of the items it did not copy (a selection it does not take, or data of the
 *       wrong size): the caller copies (or reports) those itself.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif

#define MAX_DIMS 32
#define FILES_PER_ROUND 256 /* bounds the descriptors open at once */

/* -- read_files --------------------------------------------------------------------- */

enum { F_OPEN, F_MISSING, F_FALLBACK, F_DONE };

typedef struct {
    char *path;
    long long start;  /* from the caller's range */
    long long length; /* -1: to the end */
    int fd;
    int state;
    int err;
    Py_ssize_t offset; /* resolved against the file's size */
    Py_ssize_t size;
    PyObject *bytes;
} file_job;

static void open_files(file_job *jobs, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        file_job *j = &jobs[i];
        j->fd = open(j->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (j->fd < 0) {
            j->err = errno;
            j->state = (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) ? F_MISSING
                                                                                 : F_FALLBACK;
            continue;
        }
        struct stat st;
        if (fstat(j->fd, &st) != 0) {
            j->err = errno;
            j->state = F_FALLBACK;
        } else if (S_ISDIR(st.st_mode)) {
            j->state = F_MISSING;
        } else if (!S_ISREG(st.st_mode)) {
            j->err = 0;
            j->state = F_FALLBACK;
        } else {
            long long size = (long long)st.st_size, start = j->start, stop;
            if (start < 0) {
                start = size + start < 0 ? 0 : size + start;
            } else if (start > size) {
                start = size;
            }
            stop = (j->length < 0 || start + j->length > size) ? size : start + j->length;
            j->offset = (Py_ssize_t)start;
            j->size = (Py_ssize_t)(stop - start);
            j->state = F_OPEN;
            continue;
        }
        close(j->fd);
        j->fd = -1;
    }
}

static void read_opened(file_job *jobs, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        file_job *j = &jobs[i];
        if (j->fd < 0) {
            continue;
        }
        if (j->state == F_OPEN && j->bytes != NULL) {
            char *dst = PyBytes_AS_STRING(j->bytes);
            Py_ssize_t got = 0;
            while (got < j->size) {
                ssize_t r = pread(j->fd, dst + got, (size_t)(j->size - got), j->offset + got);
                if (r < 0 && errno == EINTR) {
                    continue;
                }
                if (r <= 0) { /* an error, or the file shrank: the caller reads it again */
                    j->err = r < 0 ? errno : 0;
                    j->state = F_FALLBACK;
                    break;
                }
                got += r;
            }
            if (j->state == F_OPEN) {
                j->state = F_DONE;
            }
        }
        close(j->fd);
        j->fd = -1;
    }
}

static int parse_range(PyObject *range, file_job *j) {
    if (range == Py_None) {
        j->start = 0;
        j->length = -1;
        return 0;
    }
    if (!PyTuple_Check(range) || PyTuple_GET_SIZE(range) != 2) {
        PyErr_SetString(PyExc_TypeError, "a byte range is None or a (start, length) tuple");
        return -1;
    }
    j->start = PyLong_AsLongLong(PyTuple_GET_ITEM(range, 0));
    if (j->start == -1 && PyErr_Occurred()) {
        return -1;
    }
    PyObject *length = PyTuple_GET_ITEM(range, 1);
    j->length = length == Py_None ? -1 : PyLong_AsLongLong(length);
    if (j->length == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (length != Py_None && j->length < 0) {
        PyErr_SetString(PyExc_ValueError, "a byte range's length must not be negative");
        return -1;
    }
    return 0;
}

static PyObject *read_files(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *prefix_obj, *keys, *ranges;
    if (!PyArg_ParseTuple(args, "O&O!O", PyUnicode_FSConverter, &prefix_obj, &PyList_Type, &keys,
                          &ranges)) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(keys);
    if (ranges != Py_None && (!PyList_Check(ranges) || PyList_GET_SIZE(ranges) != n)) {
        Py_DECREF(prefix_obj);
        PyErr_SetString(PyExc_TypeError, "ranges must be None or a list as long as keys");
        return NULL;
    }
    const char *prefix = PyBytes_AS_STRING(prefix_obj);
    size_t prefix_len = (size_t)PyBytes_GET_SIZE(prefix_obj);
    PyObject *result = PyList_New(n);
    file_job *jobs = PyMem_Calloc(n > FILES_PER_ROUND ? FILES_PER_ROUND : (n ? n : 1),
                                  sizeof(file_job));
    if (result == NULL || jobs == NULL) {
        goto fail;
    }
    for (Py_ssize_t base = 0; base < n; base += FILES_PER_ROUND) {
        Py_ssize_t m = n - base < FILES_PER_ROUND ? n - base : FILES_PER_ROUND;
        int failed = 0;
        memset(jobs, 0, (size_t)m * sizeof(file_job));
        for (Py_ssize_t i = 0; i < m; i++) {
            jobs[i].fd = -1;
        }
        for (Py_ssize_t i = 0; i < m; i++) { /* paths and ranges, with the GIL */
            file_job *j = &jobs[i];
            PyObject *key = PyList_GET_ITEM(keys, base + i), *encoded = NULL;
            if (!PyUnicode_FSConverter(key, &encoded)) {
                failed = 1;
                break;
            }
            size_t key_len = (size_t)PyBytes_GET_SIZE(encoded);
            j->path = PyMem_Malloc(prefix_len + key_len + 1);
            if (j->path == NULL) {
                Py_DECREF(encoded);
                PyErr_NoMemory();
                failed = 1;
                break;
            }
            memcpy(j->path, prefix, prefix_len);
            memcpy(j->path + prefix_len, PyBytes_AS_STRING(encoded), key_len + 1);
            Py_DECREF(encoded);
            if (parse_range(ranges == Py_None ? Py_None : PyList_GET_ITEM(ranges, base + i), j)) {
                failed = 1;
                break;
            }
        }
        if (!failed) {
            Py_BEGIN_ALLOW_THREADS open_files(jobs, m);
            Py_END_ALLOW_THREADS
            for (Py_ssize_t i = 0; i < m; i++) { /* the result objects, with the GIL */
                if (jobs[i].state == F_OPEN) {
                    jobs[i].bytes = PyBytes_FromStringAndSize(NULL, jobs[i].size);
                    if (jobs[i].bytes == NULL) {
                        failed = 1;
                    }
                }
            }
            Py_BEGIN_ALLOW_THREADS read_opened(jobs, m); /* closes every descriptor */
            Py_END_ALLOW_THREADS
        }
        for (Py_ssize_t i = 0; i < m; i++) {
            file_job *j = &jobs[i];
            PyObject *item = NULL;
            if (j->fd >= 0) {
                close(j->fd);
            }
            PyMem_Free(j->path);
            if (failed) {
                Py_XDECREF(j->bytes);
                continue;
            }
            if (j->state == F_DONE) {
                item = j->bytes;
            } else {
                Py_XDECREF(j->bytes);
                if (j->state == F_MISSING) {
                    item = Py_NewRef(Py_None);
                } else {
                    item = PyLong_FromLong(j->err);
                    if (item == NULL) {
                        failed = 1;
                        continue;
                    }
                }
            }
            PyList_SET_ITEM(result, base + i, item);
        }
        if (failed) {
            goto fail;
        }
    }
    PyMem_Free(jobs);
    Py_DECREF(prefix_obj);
    return result;
fail:
    PyMem_Free(jobs);
    Py_DECREF(prefix_obj);
    Py_XDECREF(result);
    return NULL;
}

/* -- scatter ------------------------------------------------------------------------- */

typedef struct {
    Py_buffer src;
    char *src_start;
    char *dst_start;
    Py_ssize_t len[MAX_DIMS];
} copy_job;

/* An item's selections: 1 if they are step-1 slices of equal lengths within the shapes,
 * filling ``starts`` (chunk, then out) and ``lens``; 0 if this function does not take
 * them; -1 on a Python error. */
static int parse_selections(PyObject *chunk_sel, PyObject *out_sel, int ndim,
                            const Py_ssize_t *chunk_shape, const Py_ssize_t *out_shape,
                            Py_ssize_t *chunk_starts, Py_ssize_t *out_starts,
                            Py_ssize_t *lens) {
    if (!PyTuple_Check(chunk_sel) || !PyTuple_Check(out_sel) ||
        PyTuple_GET_SIZE(chunk_sel) != ndim || PyTuple_GET_SIZE(out_sel) != ndim) {
        return 0;
    }
    for (int d = 0; d < ndim; d++) {
        PyObject *cs = PyTuple_GET_ITEM(chunk_sel, d), *os = PyTuple_GET_ITEM(out_sel, d);
        if (!PySlice_Check(cs) || !PySlice_Check(os)) {
            return 0;
        }
        Py_ssize_t c0, c1, cstep, o0, o1, ostep;
        if (PySlice_Unpack(cs, &c0, &c1, &cstep) < 0 || PySlice_Unpack(os, &o0, &o1, &ostep) < 0) {
            return -1;
        }
        if (cstep != 1 || ostep != 1) {
            return 0;
        }
        Py_ssize_t cn = PySlice_AdjustIndices(chunk_shape[d], &c0, &c1, 1);
        Py_ssize_t on = PySlice_AdjustIndices(out_shape[d], &o0, &o1, 1);
        if (cn != on) {
            return 0;
        }
        chunk_starts[d] = c0;
        out_starts[d] = o0;
        lens[d] = cn;
    }
    return 1;
}

static void copy_block(const copy_job *job, int ndim, const Py_ssize_t *src_strides,
                       const Py_ssize_t *dst_strides, Py_ssize_t itemsize) {
    for (int d = 0; d < ndim; d++) {
        if (job->len[d] == 0) {
            return;
        }
    }
    /* The innermost run: contiguous in the source always (C order), in the output when its
     * last stride is the item size: then one memcpy per row. */
    int inner = ndim > 0 && dst_strides[ndim - 1] == itemsize;
    Py_ssize_t run = inner ? job->len[ndim - 1] * itemsize : itemsize;
    int outer = inner ? ndim - 1 : ndim;
    Py_ssize_t idx[MAX_DIMS] = {0};
    const char *s = job->src_start;
    char *t = job->dst_start;
    for (;;) {
        memcpy(t, s, (size_t)run);
        int d = outer - 1;
        while (d >= 0) {
            idx[d]++;
            s += src_strides[d];
            t += dst_strides[d];
            if (idx[d] < job->len[d]) {
                break;
            }
            s -= src_strides[d] * job->len[d];
            t -= dst_strides[d] * job->len[d];
            idx[d] = 0;
            d--;
        }
        if (d < 0) {
            return;
        }
    }
}

/* Append item index i to the list of items the caller handles itself; -1 on error. */
static int hand_back(PyObject *left, Py_ssize_t i) {
    PyObject *index = PyLong_FromSsize_t(i);
    if (index == NULL) {
        return -1;
    }
    int rc = PyList_Append(left, index);
    Py_DECREF(index);
    return rc;
}

static PyObject *scatter(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *out_obj, *shape_obj, *items;
    if (!PyArg_ParseTuple(args, "OO!O!", &out_obj, &PyTuple_Type, &shape_obj, &PyList_Type,
                          &items)) {
        return NULL;
    }
    Py_buffer out;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_WRITABLE | PyBUF_STRIDES) < 0) {
        return NULL;
    }
    PyObject *left = NULL;
    copy_job *jobs = NULL;
    Py_ssize_t n = PyList_GET_SIZE(items), njobs = 0;
    int ndim = out.ndim;
    Py_ssize_t chunk_shape[MAX_DIMS], src_strides[MAX_DIMS];
    Py_ssize_t itemsize = out.itemsize;
    left = PyList_New(0);
    if (left == NULL) {
        goto done;
    }
    if (ndim > MAX_DIMS || PyTuple_GET_SIZE(shape_obj) != ndim) {
        for (Py_ssize_t i = 0; i < n; i++) { /* not ours: every item goes back */
            if (hand_back(left, i) < 0) {
                Py_CLEAR(left);
                goto done;
            }
        }
        goto done;
    }
    Py_ssize_t chunk_bytes = itemsize;
    for (int d = 0; d < ndim; d++) {
        chunk_shape[d] = PyLong_AsSsize_t(PyTuple_GET_ITEM(shape_obj, d));
        if (chunk_shape[d] < 0) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "a chunk shape is not negative");
            }
            Py_CLEAR(left);
            goto done;
        }
        chunk_bytes *= chunk_shape[d];
    }
    for (int d = ndim - 1; d >= 0; d--) { /* the chunk's C-order strides */
        src_strides[d] = d == ndim - 1 ? itemsize : src_strides[d + 1] * chunk_shape[d + 1];
    }
    jobs = PyMem_Calloc(n ? n : 1, sizeof(copy_job));
    if (jobs == NULL) {
        PyErr_NoMemory();
        Py_CLEAR(left);
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        Py_ssize_t cstart[MAX_DIMS], ostart[MAX_DIMS];
        copy_job *job = &jobs[njobs];
        int ok = 0;
        if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 3) {
            ok = parse_selections(PyTuple_GET_ITEM(item, 1), PyTuple_GET_ITEM(item, 2), ndim,
                                  chunk_shape, out.shape, cstart, ostart, job->len);
            if (ok < 0) {
                Py_CLEAR(left);
                goto done;
            }
        }
        if (ok) {
            if (PyObject_GetBuffer(PyTuple_GET_ITEM(item, 0), &job->src, PyBUF_C_CONTIGUOUS) < 0) {
                PyErr_Clear(); /* not a buffer: the caller's path says what it is */
                ok = 0;
            } else if (job->src.len != chunk_bytes) {
                PyBuffer_Release(&job->src);
                ok = 0;
            }
        }
        if (!ok) {
            if (hand_back(left, i) < 0) {
                Py_CLEAR(left);
                goto done;
            }
            continue;
        }
        job->src_start = (char *)job->src.buf;
        job->dst_start = (char *)out.buf;
        for (int d = 0; d < ndim; d++) {
            job->src_start += cstart[d] * src_strides[d];
            job->dst_start += ostart[d] * out.strides[d];
        }
        njobs++;
    }
    Py_BEGIN_ALLOW_THREADS for (Py_ssize_t k = 0; k < njobs; k++) {
        copy_block(&jobs[k], ndim, src_strides, out.strides, itemsize);
    }
    Py_END_ALLOW_THREADS
done:
    if (jobs != NULL) {
        for (Py_ssize_t k = 0; k < njobs; k++) {
            PyBuffer_Release(&jobs[k].src);
        }
        PyMem_Free(jobs);
    }
    PyBuffer_Release(&out);
    return left;
}

/* -- zstd_frames_exact --------------------------------------------------------------- */

/* The length of the zstd frame at the start of buf (header, blocks, checksum), from its
 * block headers; -1 if it is malformed or cut short (simplezarr.codecs.zstd._frame_size). */
static Py_ssize_t zstd_frame_size(const unsigned char *p, Py_ssize_t end) {
    static const int dict_bytes[4] = {0, 1, 2, 4};
    if (end < 5 || p[0] != 0x28 || p[1] != 0xB5 || p[2] != 0x2F || p[3] != 0xFD) {
        return -1;
    }
    unsigned fhd = p[4];
    int single = (fhd >> 5) & 1, checksum = (fhd >> 2) & 1, fcs_flag = fhd >> 6;
    if (fhd & 0x08) { /* the reserved bit */
        return -1;
    }
    int fcs = fcs_flag == 0 ? single : (fcs_flag == 1 ? 2 : (fcs_flag == 2 ? 4 : 8));
    Py_ssize_t pos = 5 + (single ? 0 : 1) + dict_bytes[fhd & 3] + fcs;
    while (pos + 3 <= end) {
        unsigned long header = p[pos] | (unsigned long)p[pos + 1] << 8 |
                               (unsigned long)p[pos + 2] << 16;
        unsigned kind = (header >> 1) & 3;
        if (kind == 3) {
            return -1;
        }
        pos += 3 + (kind == 1 ? 1 : (Py_ssize_t)(header >> 3));
        if (header & 1) {
            return checksum ? pos + 4 : pos;
        }
    }
    return -1;
}

static PyObject *zstd_frames_exact(PyObject *Py_UNUSED(self), PyObject *datas) {
    if (!PyList_Check(datas)) {
        PyErr_SetString(PyExc_TypeError, "zstd_frames_exact takes a list of buffers");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(datas); i++) {
        Py_buffer view;
        if (PyObject_GetBuffer(PyList_GET_ITEM(datas, i), &view, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
        Py_ssize_t size = zstd_frame_size(view.buf, view.len), len = view.len;
        PyBuffer_Release(&view);
        if (size != len) {
            Py_RETURN_FALSE;
        }
    }
    Py_RETURN_TRUE;
}

static PyMethodDef methods[] = {
    {"zstd_frames_exact", zstd_frames_exact, METH_O,
     "zstd_frames_exact(datas): whether each buffer is exactly one well-formed zstd frame "
     "(no trailing data), read from the frame and block headers."},
    {"read_files", read_files, METH_VARARGS,
     "read_files(prefix, keys, ranges): the bytes of files prefix + key, None if missing, an "
     "int (errno) where the caller should read it itself; the GIL released for the batch."},
    {"scatter", scatter, METH_VARARGS,
     "scatter(out, chunk_shape, items): copy (data, chunk_selection, out_selection) items "
     "into out without the GIL; the indices of the items not copied."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "simplezarr._native",
    "The per-chunk hot loop of a read, without the GIL (see simplezarr.native).", -1, methods,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
