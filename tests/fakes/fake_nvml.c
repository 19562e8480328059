/* A fake libnvidia-ml.so.1 for tests: the real NVML signatures and struct layouts, so pynvml runs unchanged.
 *
 * Build: gcc -Wall -Werror -shared -fPIC -Wl,-soname,libnvidia-ml.so.1 -o libnvidia-ml.so.1 fake_nvml.c -lpthread
 * Load it with ctypes.CDLL(path, RTLD_GLOBAL) before pynvml loads "libnvidia-ml.so.1": the dynamic loader then
 * hands pynvml this library because its soname matches.
 *
 * What the "GPUs" report comes from a JSON file named by the environment variable FAKE_NVML_CONFIG. The file is
 * read again on every call, so a test can change a value between two samples. Every member is optional:
 *
 *   {
 *     "init_error": 9,                   nvmlInit* returns this code (9 = driver not loaded, 4 = no permission)
 *     "driver": "535.104.05",            nvmlSystemGetDriverVersion (this is the default)
 *     "cuda": 12020,                     nvmlSystemGetCudaDriverVersion(_v2): 12.2; missing = not supported
 *     "errors": {"count": 999},          a system call fails: driver_version, cuda_version, count
 *     "gpus": [                          nvmlDeviceGetCount is the length of this array
 *       {
 *         "name": "NVIDIA H100 80GB HBM3",          default "Fake GPU"
 *         "uuid": "GPU-...",                        default GPU-00000000-0000-0000-0000-00000000000<index>
 *         "memory_total": 85899345920, "memory_used": 1024, "memory_reserved": 0,     bytes
 *         "utilization_gpu": 97, "utilization_memory": 40,                            percent
 *         "temperature": 60, "fan_speed": 30,                                         Celsius, percent
 *         "power_usage": 250000, "power_limit": 700000,                               milliwatts
 *         "clock_graphics": 1980, "clock_sm": 1980, "clock_mem": 2619, "clock_video": 1545,   MHz
 *         "processes": [{"pid": 4242, "used_memory": 1073741824}],   running compute processes;
 *                                                                     "used_memory": null = not available
 *         "graphics_processes": [{"pid": 77, "used_memory": 0}],
 *         "process_utilization": [{"pid": 4242, "sm": 80, "mem": 30, "enc": 0, "dec": 0, "timestamp": 1}],
 *                      nvmlDeviceGetProcessUtilization's samples; "timestamp" (microseconds) defaults to now,
 *                      so such a sample is always newer than the caller's lastSeenTimeStamp
 *         "errors": {"name": 15}         a device call fails; the call is handle, name, uuid, index, memory,
 *                                        utilization, temperature, fan_speed, power_usage, power_limit, clock,
 *                                        processes, graphics_processes, process_utilization, mig_mode,
 *                                        mig_count, mig_handle, or "all" for every call on that GPU
 *                                        (15 = GPU is lost)
 *         "mig_mode": 1,                 nvmlDeviceGetMigMode's current mode (1 = enabled, 0 = disabled);
 *                                        missing = a GPU without MIG (NOT_SUPPORTED); "mig_pending" the pending one
 *         "max_mig_devices": 7,          nvmlDeviceGetMaxMigDeviceCount (default 7 where "mig_mode" is given)
 *         "mig_devices": [               the MIG instances, by slot (nvmlDeviceGetMigDeviceHandleByIndex); null is
 *           {"name": "...", "uuid": "MIG-...", "memory_total": ..., "memory_used": ..., "processes": [...]},
 *           null                         an empty slot (NOT_FOUND). An instance answers the device calls above
 *         ]                              from its own members, as a GPU does (default name "Fake MIG", default
 *                                        uuid MIG-<GPU index, 8 digits>-0000-0000-0000-<slot, 12 digits>)
 *       }
 *     ]
 *   }
 *
 * A measurement that is missing or null answers NVML_ERROR_NOT_SUPPORTED, as a real GPU does for what it lacks
 * (an empty "process_utilization" array is supported but has no samples: NVML_ERROR_NOT_FOUND, as NVML says when
 * nothing ran since lastSeenTimeStamp). Without the variable (or with an unreadable file) nvmlInit answers
 * NVML_ERROR_DRIVER_NOT_LOADED, like a computer without a running driver; a file that is not valid JSON makes
 * every call answer NVML_ERROR_UNKNOWN and says why on stderr. fake_nvml_reset() forgets any nvmlInit (a loaded
 * library cannot be unloaded, so tests reset it instead).
 *
 * To add a call for a new measurement: look up its prototype and struct in nvml.h / pynvml.py, pick a member
 * name, and follow nvmlDeviceGetTemperature below.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

typedef int nvmlReturn_t;
enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
    NVML_ERROR_UNKNOWN = 999,
};

#define MAX_DEVICES 16
#define MAX_MIG 8                             /* MIG slots per GPU (NVML has at most 7) */
#define MIG_BASE 1000                         /* "index" of a MIG handle: MIG_BASE + GPU * MAX_MIG + slot */
#define MAX_PROCESSES 256
#define MAX_FILE (1 << 20)
#define MAX_NODES 16384
#define NOT_AVAILABLE 0xFFFFFFFFFFFFFFFFULL   /* NVML_VALUE_NOT_AVAILABLE: pynvml turns it into None */

/* nvmlDevice_t is an opaque pointer; ours points into this array so the index is the offset. */
typedef struct nvmlDevice_st { int index; } *nvmlDevice_t;
static struct nvmlDevice_st devices[MAX_DEVICES];
static struct nvmlDevice_st mig_handles[MAX_DEVICES * MAX_MIG];

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
#define nvmlMemory_v2 (unsigned int)(sizeof(nvmlMemory_v2_t) | (2 << 24U))
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;   /* nvmlProcessInfo_v2_t, which the _v3 calls use too */
typedef struct {
    unsigned int pid;
    unsigned long long timeStamp;   /* CPU time in microseconds */
    unsigned int smUtil, memUtil, encUtil, decUtil;
} nvmlProcessUtilizationSample_t;

/* ---- a small JSON reader: the whole document becomes a tree of nodes in one static pool ---- */

enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

typedef struct {
    int type;
    int first, next;        /* children of an array or object, as a list; -1 ends it */
    const char *key;        /* the member's name inside an object */
    const char *text;       /* a string's value (decoded) */
    long long integer;      /* a number, exactly when it is an integer */
    double real;
} node_t;

static char document[MAX_FILE + 1];   /* the file; strings are decoded in place, never longer than their source */
static node_t nodes[MAX_NODES];
static int node_count;
static const char *cursor;
static const char *parse_error;

static int new_node(int type) {
    if (node_count >= MAX_NODES) { parse_error = "too many values"; return -1; }
    node_t *node = &nodes[node_count];
    memset(node, 0, sizeof *node);
    node->type = type;
    node->first = node->next = -1;
    return node_count++;
}

static void skip_space(void) {
    while (*cursor == ' ' || *cursor == '\t' || *cursor == '\n' || *cursor == '\r') cursor++;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static long read_hex4(void) {
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit(cursor[i]);
        if (digit < 0) { parse_error = "bad \\u escape"; return -1; }
        value = value * 16 + digit;
    }
    cursor += 4;
    return value;
}

static char *put_utf8(char *out, long code) {
    if (code < 0x80) { *out++ = (char)code; }
    else if (code < 0x800) { *out++ = (char)(0xC0 | (code >> 6)); *out++ = (char)(0x80 | (code & 0x3F)); }
    else if (code < 0x10000) {
        *out++ = (char)(0xE0 | (code >> 12));
        *out++ = (char)(0x80 | ((code >> 6) & 0x3F));
        *out++ = (char)(0x80 | (code & 0x3F));
    } else {
        *out++ = (char)(0xF0 | (code >> 18));
        *out++ = (char)(0x80 | ((code >> 12) & 0x3F));
        *out++ = (char)(0x80 | ((code >> 6) & 0x3F));
        *out++ = (char)(0x80 | (code & 0x3F));
    }
    return out;
}

/* A string at the cursor (just after its opening quote), decoded in place; returns its start or NULL. */
static const char *parse_string_text(void) {
    char *start = (char *)cursor, *out = start;
    while (*cursor != '"') {
        if (*cursor == '\0') { parse_error = "unterminated string"; return NULL; }
        if (*cursor != '\\') { *out++ = *cursor++; continue; }
        cursor++;
        char escape = *cursor++;
        switch (escape) {
        case '"': case '\\': case '/': *out++ = escape; break;
        case 'b': *out++ = '\b'; break;
        case 'f': *out++ = '\f'; break;
        case 'n': *out++ = '\n'; break;
        case 'r': *out++ = '\r'; break;
        case 't': *out++ = '\t'; break;
        case 'u': {
            long code = read_hex4();
            if (code < 0) return NULL;
            if (code >= 0xD800 && code < 0xDC00 && cursor[0] == '\\' && cursor[1] == 'u') {   /* surrogate pair */
                cursor += 2;
                long low = read_hex4();
                if (low < 0) return NULL;
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            }
            out = put_utf8(out, code);
            break;
        }
        default: parse_error = "bad escape"; return NULL;
        }
    }
    cursor++;   /* the closing quote, which the terminator below may overwrite */
    *out = '\0';
    return start;
}

static int parse_value(int depth);

static int parse_container(int type, char close, int depth) {
    int self = new_node(type), last = -1;
    if (self < 0) return -1;
    skip_space();
    if (*cursor == close) { cursor++; return self; }
    for (;;) {
        const char *key = NULL;
        skip_space();
        if (type == J_OBJECT) {
            if (*cursor != '"') { parse_error = "expected a member name"; return -1; }
            cursor++;
            if (!(key = parse_string_text())) return -1;
            skip_space();
            if (*cursor != ':') { parse_error = "expected ':'"; return -1; }
            cursor++;
        }
        int child = parse_value(depth + 1);
        if (child < 0) return -1;
        nodes[child].key = key;
        if (last < 0) nodes[self].first = child; else nodes[last].next = child;
        last = child;
        skip_space();
        if (*cursor == ',') { cursor++; continue; }
        if (*cursor == close) { cursor++; return self; }
        parse_error = type == J_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'";
        return -1;
    }
}

static int parse_number(void) {
    const char *start = cursor;
    char *end;
    double real = strtod(start, &end);
    if (end == start) { parse_error = "unexpected character"; return -1; }
    int self = new_node(J_NUMBER);
    if (self < 0) return -1;
    nodes[self].real = real;
    /* Integers are kept exactly (past 2^53, and up to 2^64 - 1 as NVML's unsigned long long values need). */
    char *integer_end;
    long long integer = *start == '-' ? strtoll(start, &integer_end, 10)
                                      : (long long)strtoull(start, &integer_end, 10);
    nodes[self].integer = integer_end == end ? integer : (long long)real;
    cursor = end;
    return self;
}

static int parse_value(int depth) {
    if (depth > 32) { parse_error = "nested too deeply"; return -1; }
    skip_space();
    switch (*cursor) {
    case '{': cursor++; return parse_container(J_OBJECT, '}', depth);
    case '[': cursor++; return parse_container(J_ARRAY, ']', depth);
    case '"': {
        cursor++;
        const char *text = parse_string_text();
        if (!text) return -1;
        int self = new_node(J_STRING);
        if (self >= 0) nodes[self].text = text;
        return self;
    }
    case 't': if (strncmp(cursor, "true", 4) == 0) { cursor += 4; return new_node(J_TRUE); } break;
    case 'f': if (strncmp(cursor, "false", 5) == 0) { cursor += 5; return new_node(J_FALSE); } break;
    case 'n': if (strncmp(cursor, "null", 4) == 0) { cursor += 4; return new_node(J_NULL); } break;
    default: return parse_number();
    }
    parse_error = "unexpected word";
    return -1;
}

/* Parses the document in `document`; returns the root node or -1 with parse_error set. */
static int parse_document(void) {
    node_count = 0;
    parse_error = NULL;
    cursor = document;
    int root = parse_value(0);
    if (root < 0) return -1;
    skip_space();
    if (*cursor != '\0') { parse_error = "text after the JSON value"; return -1; }
    if (nodes[root].type != J_OBJECT) { parse_error = "the top level is not an object"; return -1; }
    return root;
}

/* The member `name` of an object node (the last one, if the name repeats), or -1. Null counts as missing. */
static int member(int object, const char *name) {
    int found = -1;
    if (object < 0 || nodes[object].type != J_OBJECT) return -1;
    for (int child = nodes[object].first; child >= 0; child = nodes[child].next)
        if (strcmp(nodes[child].key, name) == 0) found = child;
    return found >= 0 && nodes[found].type == J_NULL ? -1 : found;
}

static int element(int array, int index) {
    if (array < 0 || nodes[array].type != J_ARRAY) return -1;
    int child = nodes[array].first;
    while (child >= 0 && index-- > 0) child = nodes[child].next;
    return child;
}

static int length(int array) {
    int count = 0;
    if (array >= 0 && nodes[array].type == J_ARRAY)
        for (int child = nodes[array].first; child >= 0; child = nodes[child].next) count++;
    return count;
}

/* A number member: 1 and *out set when present, 0 when missing, null or not a number. */
static int integer_member(int object, const char *name, long long *out) {
    int value = member(object, name);
    if (value < 0 || nodes[value].type != J_NUMBER) return 0;
    *out = nodes[value].integer;
    return 1;
}

static const char *string_member(int object, const char *name) {
    int value = member(object, name);
    return value >= 0 && nodes[value].type == J_STRING ? nodes[value].text : NULL;
}

/* ---- the config file ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int init_count;
static int config_found;   /* the variable names a readable file */
static int config_root;    /* its root object, or -1 when it is not valid JSON */

static void reload_config(void) {
    config_found = 0;
    config_root = -1;
    const char *path = getenv("FAKE_NVML_CONFIG");
    if (!path || !*path) return;
    FILE *file = fopen(path, "rb");
    if (!file) return;
    config_found = 1;
    size_t size = fread(document, 1, MAX_FILE, file);
    int too_big = size == MAX_FILE && fgetc(file) != EOF;
    fclose(file);
    document[size] = '\0';
    if (too_big) {
        fprintf(stderr, "fake_nvml: %s is larger than %d bytes\n", path, MAX_FILE);
        return;
    }
    config_root = parse_document();
    if (config_root < 0)
        fprintf(stderr, "fake_nvml: %s is not valid JSON: %s at byte %ld\n", path, parse_error,
                (long)(cursor - document));
}

static int gpus(void) { return member(config_root, "gpus"); }

static int gpu_count(void) {
    int count = length(gpus());
    return count > MAX_DEVICES ? MAX_DEVICES : count;
}

/* The config node of a device: a GPU by its index, or a MIG instance by its MIG_BASE number (-1 when its slot is
 * empty or gone). */
static int gpu(int index) {
    if (index < MIG_BASE) return element(gpus(), index);
    int parent = (index - MIG_BASE) / MAX_MIG, slot = (index - MIG_BASE) % MAX_MIG;
    int node = element(member(element(gpus(), parent), "mig_devices"), slot);
    return node >= 0 && nodes[node].type == J_OBJECT ? node : -1;
}

/* The code injected for a call in an "errors" object, or NVML_SUCCESS. */
static nvmlReturn_t injected(int object, const char *call) {
    long long code;
    return integer_member(member(object, "errors"), call, &code) ? (nvmlReturn_t)code : NVML_SUCCESS;
}

/* Common start of every call after nvmlInit: lock, re-read the file, check the library is initialised. */
static nvmlReturn_t begin(void) {
    pthread_mutex_lock(&lock);
    reload_config();
    if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
    if (!config_found) return NVML_ERROR_DRIVER_NOT_LOADED;   /* the "driver" went away after init */
    if (config_root < 0) return NVML_ERROR_UNKNOWN;
    return NVML_SUCCESS;
}

static nvmlReturn_t end(nvmlReturn_t result) {
    pthread_mutex_unlock(&lock);
    return result;
}

/* The error injected for a device call: "all" first, then the call's own. */
static nvmlReturn_t device_error(int index, const char *call) {
    nvmlReturn_t result = injected(gpu(index), "all");
    return result != NVML_SUCCESS ? result : injected(gpu(index), call);
}

/* Common start of a device call: the checks of begin(), a valid handle, and any injected error. */
static nvmlReturn_t begin_device(nvmlDevice_t device, const char *call, int *index) {
    nvmlReturn_t result = begin();
    if (result != NVML_SUCCESS) return result;
    if (device >= devices && device < devices + MAX_DEVICES) {
        *index = (int)(device - devices);
        if (*index >= gpu_count()) return NVML_ERROR_GPU_IS_LOST;   /* the GPU left the bus since its handle */
    } else if (device >= mig_handles && device < mig_handles + MAX_DEVICES * MAX_MIG) {
        *index = MIG_BASE + (int)(device - mig_handles);
        if ((*index - MIG_BASE) / MAX_MIG >= gpu_count() || gpu(*index) < 0) return NVML_ERROR_GPU_IS_LOST;
    } else {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    return device_error(*index, call);
}

static nvmlReturn_t copy_text(const char *text, char *buffer, unsigned int size) {
    if (!buffer) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(text) + 1 > size) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buffer, text);
    return NVML_SUCCESS;
}

/* An unsigned measurement of the GPU, or NOT_SUPPORTED when the file does not have it. */
static nvmlReturn_t device_number(nvmlDevice_t device, const char *call, const char *name, unsigned int *out) {
    int index;
    nvmlReturn_t result = begin_device(device, call, &index);
    if (result == NVML_SUCCESS) {
        long long value;
        if (!out) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (!integer_member(gpu(index), name, &value)) result = NVML_ERROR_NOT_SUPPORTED;
        else *out = (unsigned int)value;
    }
    return end(result);
}

static unsigned long long now_microseconds(void) {
    struct timeval now;
    gettimeofday(&now, NULL);
    return (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_usec;
}

/* ---- initialisation ---- */

nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
    (void)flags;
    pthread_mutex_lock(&lock);
    reload_config();
    nvmlReturn_t result = NVML_ERROR_DRIVER_NOT_LOADED;
    if (config_found) {
        long long code;
        if (config_root < 0) result = NVML_ERROR_UNKNOWN;
        else result = integer_member(config_root, "init_error", &code) ? (nvmlReturn_t)code : NVML_SUCCESS;
    }
    if (result == NVML_SUCCESS) init_count++;
    return end(result);
}

nvmlReturn_t nvmlInit_v2(void) { return nvmlInitWithFlags(0); }
nvmlReturn_t nvmlInit(void) { return nvmlInitWithFlags(0); }

nvmlReturn_t nvmlShutdown(void) {
    pthread_mutex_lock(&lock);
    nvmlReturn_t result = NVML_SUCCESS;
    if (init_count == 0) result = NVML_ERROR_UNINITIALIZED;
    else init_count--;
    return end(result);
}

/* Not NVML: lets a test forget every nvmlInit, since the library stays loaded for the whole process. */
void fake_nvml_reset(void) {
    pthread_mutex_lock(&lock);
    init_count = 0;
    pthread_mutex_unlock(&lock);
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

/* ---- system ---- */

static const char *driver_text(void) {
    const char *value = string_member(config_root, "driver");
    return value ? value : "535.104.05";
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int size) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) result = injected(config_root, "driver_version");
    if (result == NVML_SUCCESS) result = copy_text(driver_text(), version, size);
    return end(result);
}

nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int size) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) {
        char text[256];
        snprintf(text, sizeof text, "12.%s", driver_text());
        result = copy_text(text, version, size);
    }
    return end(result);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) result = injected(config_root, "cuda_version");
    if (result == NVML_SUCCESS) {
        long long value;
        if (!version) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (!integer_member(config_root, "cuda", &value)) result = NVML_ERROR_NOT_SUPPORTED;
        else *version = (int)value;
    }
    return end(result);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) { return nvmlSystemGetCudaDriverVersion(version); }

/* ---- devices ---- */

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) result = injected(config_root, "count");
    if (result == NVML_SUCCESS) {
        if (!count) result = NVML_ERROR_INVALID_ARGUMENT;
        else *count = (unsigned int)gpu_count();
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetCount(unsigned int *count) { return nvmlDeviceGetCount_v2(count); }

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) {
        if (!device || index >= (unsigned int)gpu_count()) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            result = device_error((int)index, "handle");
            if (result == NVML_SUCCESS) {
                devices[index].index = (int)index;
                *device = &devices[index];
            }
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device) {
    return nvmlDeviceGetHandleByIndex_v2(index, device);
}

/* The GPU's UUID from the file, or a made-up one from its index. */
static const char *uuid_of(int index, char *fallback, size_t size) {
    const char *value = string_member(gpu(index), "uuid");
    if (value) return value;
    if (index >= MIG_BASE)
        snprintf(fallback, size, "MIG-%08d-0000-0000-0000-%012d", (index - MIG_BASE) / MAX_MIG,
                 (index - MIG_BASE) % MAX_MIG);
    else
        snprintf(fallback, size, "GPU-00000000-0000-0000-0000-%012d", index);
    return fallback;
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) {
        result = NVML_ERROR_NOT_FOUND;
        for (int i = 0; uuid && device && i < gpu_count(); i++) {
            char fallback[64];
            if (strcmp(uuid, uuid_of(i, fallback, sizeof fallback)) == 0) {
                devices[i].index = i;
                *device = &devices[i];
                result = NVML_SUCCESS;
                break;
            }
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int size) {
    int index;
    nvmlReturn_t result = begin_device(device, "name", &index);
    if (result == NVML_SUCCESS) {
        const char *value = string_member(gpu(index), "name");
        result = copy_text(value ? value : index >= MIG_BASE ? "Fake MIG" : "Fake GPU", name, size);
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int size) {
    int index;
    nvmlReturn_t result = begin_device(device, "uuid", &index);
    if (result == NVML_SUCCESS) {
        char fallback[64];
        result = copy_text(uuid_of(index, fallback, sizeof fallback), uuid, size);
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *out) {
    int index;
    nvmlReturn_t result = begin_device(device, "index", &index);
    if (result == NVML_SUCCESS) {
        if (!out) result = NVML_ERROR_INVALID_ARGUMENT;
        else *out = (unsigned int)index;
    }
    return end(result);
}

/* total, reserved and used from the file; free is what is left. */
static nvmlReturn_t read_memory(nvmlDevice_t device, unsigned long long values[3]) {
    int index;
    nvmlReturn_t result = begin_device(device, "memory", &index);
    if (result == NVML_SUCCESS) {
        long long total, reserved = 0, used = 0;
        if (!integer_member(gpu(index), "memory_total", &total)) {
            result = NVML_ERROR_NOT_SUPPORTED;
        } else {
            integer_member(gpu(index), "memory_reserved", &reserved);
            integer_member(gpu(index), "memory_used", &used);
            values[0] = (unsigned long long)total;
            values[1] = (unsigned long long)reserved;
            values[2] = (unsigned long long)used;
        }
    }
    return result;   /* the caller calls end() */
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    unsigned long long values[3];
    nvmlReturn_t result = read_memory(device, values);
    if (result == NVML_SUCCESS) {
        if (!memory) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            /* v1 counts the reserved memory as used */
            memory->total = values[0];
            memory->used = values[1] + values[2];
            memory->free = memory->total > memory->used ? memory->total - memory->used : 0;
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
    unsigned long long values[3];
    nvmlReturn_t result = read_memory(device, values);
    if (result == NVML_SUCCESS) {
        if (!memory) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        } else if (memory->version != nvmlMemory_v2) {
            result = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
        } else {
            memory->total = values[0];
            memory->reserved = values[1];
            memory->used = values[2];
            unsigned long long taken = values[1] + values[2];
            memory->free = memory->total > taken ? memory->total - taken : 0;
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
    int index;
    nvmlReturn_t result = begin_device(device, "utilization", &index);
    if (result == NVML_SUCCESS) {
        long long busy, memory = 0;
        if (!utilization) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        } else if (!integer_member(gpu(index), "utilization_gpu", &busy)) {
            result = NVML_ERROR_NOT_SUPPORTED;
        } else {
            integer_member(gpu(index), "utilization_memory", &memory);
            utilization->gpu = (unsigned int)busy;
            utilization->memory = (unsigned int)memory;
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temperature) {
    if (sensor != 0) {   /* NVML_TEMPERATURE_GPU is the only sensor */
        pthread_mutex_lock(&lock);
        return end(NVML_ERROR_INVALID_ARGUMENT);
    }
    return device_number(device, "temperature", "temperature", temperature);
}

nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t device, unsigned int *speed) {
    return device_number(device, "fan_speed", "fan_speed", speed);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *milliwatts) {
    return device_number(device, "power_usage", "power_usage", milliwatts);
}

nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *milliwatts) {
    return device_number(device, "power_limit", "power_limit", milliwatts);
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *milliwatts) {
    return device_number(device, "power_limit", "power_limit", milliwatts);
}

/* nvmlClockType_t: 0 graphics, 1 SM, 2 memory, 3 video. */
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock) {
    static const char *const names[] = {"clock_graphics", "clock_sm", "clock_mem", "clock_video"};
    if (type < 0 || type > 3) {
        pthread_mutex_lock(&lock);
        return end(NVML_ERROR_INVALID_ARGUMENT);
    }
    return device_number(device, "clock", names[type], clock);
}

/* The "processes" or "graphics_processes" array -> infos; returns how many. */
static unsigned int read_processes(int list, nvmlProcessInfo_t *out, unsigned int capacity) {
    unsigned int count = 0;
    for (int entry = list >= 0 ? nodes[list].first : -1; entry >= 0 && count < capacity;
         entry = nodes[entry].next) {
        long long pid = 0, used;
        integer_member(entry, "pid", &pid);
        out[count].pid = (unsigned int)pid;
        out[count].usedGpuMemory = integer_member(entry, "used_memory", &used) ? (unsigned long long)used
                                                                                 : NOT_AVAILABLE;
        out[count].gpuInstanceId = 0xFFFFFFFF;       /* no MIG */
        out[count].computeInstanceId = 0xFFFFFFFF;
        count++;
    }
    return count;
}

/* The NVML two-call protocol: with too small a buffer, report the count and INSUFFICIENT_SIZE. */
static nvmlReturn_t running_processes(nvmlDevice_t device, const char *name, unsigned int *count,
                                      nvmlProcessInfo_t *infos) {
    int index;
    nvmlReturn_t result = begin_device(device, name, &index);
    if (result == NVML_SUCCESS) {
        static nvmlProcessInfo_t found[MAX_PROCESSES];   /* under the lock */
        unsigned int total = read_processes(member(gpu(index), name), found, MAX_PROCESSES);
        if (!count) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        } else if (total == 0) {
            *count = 0;
        } else if (!infos || *count < total) {
            *count = total;
            result = NVML_ERROR_INSUFFICIENT_SIZE;
        } else {
            memcpy(infos, found, total * sizeof *infos);
            *count = total;
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count,
                                                     nvmlProcessInfo_t *infos) {
    return running_processes(device, "processes", count, infos);
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *count,
                                                     nvmlProcessInfo_t *infos) {
    return running_processes(device, "processes", count, infos);
}

nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t device, unsigned int *count,
                                                      nvmlProcessInfo_t *infos) {
    return running_processes(device, "graphics_processes", count, infos);
}

nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v2(nvmlDevice_t device, unsigned int *count,
                                                      nvmlProcessInfo_t *infos) {
    return running_processes(device, "graphics_processes", count, infos);
}

/* Samples newer than lastSeenTimeStamp. With no buffer (or too small a one) the count needed and
 * INSUFFICIENT_SIZE; no newer samples: NOT_FOUND; no "process_utilization" member: NOT_SUPPORTED. */
nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t device, nvmlProcessUtilizationSample_t *samples,
                                             unsigned int *count, unsigned long long last_seen) {
    int index;
    nvmlReturn_t result = begin_device(device, "process_utilization", &index);
    if (result == NVML_SUCCESS) {
        static nvmlProcessUtilizationSample_t found[MAX_PROCESSES];   /* under the lock */
        unsigned int total = 0;
        int list = member(gpu(index), "process_utilization");
        unsigned long long now = now_microseconds();
        for (int entry = list >= 0 ? nodes[list].first : -1; entry >= 0 && total < MAX_PROCESSES;
             entry = nodes[entry].next) {
            long long pid = 0, stamp, sm = 0, mem = 0, enc = 0, dec = 0;
            integer_member(entry, "pid", &pid);
            integer_member(entry, "sm", &sm);
            integer_member(entry, "mem", &mem);
            integer_member(entry, "enc", &enc);
            integer_member(entry, "dec", &dec);
            unsigned long long when = integer_member(entry, "timestamp", &stamp) ? (unsigned long long)stamp : now;
            if (when <= last_seen) continue;
            found[total++] = (nvmlProcessUtilizationSample_t){(unsigned int)pid, when, (unsigned int)sm,
                                                              (unsigned int)mem, (unsigned int)enc, (unsigned int)dec};
        }
        if (!count) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (list < 0 || nodes[list].type != J_ARRAY) result = NVML_ERROR_NOT_SUPPORTED;
        else if (total == 0) result = NVML_ERROR_NOT_FOUND;
        else if (!samples || *count < total) { *count = total; result = NVML_ERROR_INSUFFICIENT_SIZE; }
        else { memcpy(samples, found, total * sizeof *samples); *count = total; }
    }
    return end(result);
}

/* ---- MIG: a GPU split into instances, each with its own handle, UUID, memory and processes ---- */

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current, unsigned int *pending) {
    int index;
    nvmlReturn_t result = begin_device(device, "mig_mode", &index);
    if (result == NVML_SUCCESS) {
        long long mode, next;
        if (!current || !pending) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (index >= MIG_BASE || !integer_member(gpu(index), "mig_mode", &mode)) result = NVML_ERROR_NOT_SUPPORTED;
        else {
            *current = (unsigned int)mode;
            *pending = integer_member(gpu(index), "mig_pending", &next) ? (unsigned int)next : (unsigned int)mode;
        }
    }
    return end(result);
}

/* How many MIG slots the GPU has: "max_mig_devices", else 7 on a GPU that has a "mig_mode". */
static int mig_slots(int index, long long *count) {
    long long mode;
    if (index >= MIG_BASE || !integer_member(gpu(index), "mig_mode", &mode)) return 0;
    if (!integer_member(gpu(index), "max_mig_devices", count)) *count = 7;
    if (*count > MAX_MIG) *count = MAX_MIG;
    return 1;
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
    int index;
    nvmlReturn_t result = begin_device(device, "mig_count", &index);
    if (result == NVML_SUCCESS) {
        long long slots;
        if (!count) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (!mig_slots(index, &slots)) result = NVML_ERROR_NOT_SUPPORTED;
        else *count = (unsigned int)slots;
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int slot, nvmlDevice_t *mig) {
    int index;
    nvmlReturn_t result = begin_device(device, "mig_handle", &index);
    if (result == NVML_SUCCESS) {
        long long slots, mode = 0;
        integer_member(gpu(index), "mig_mode", &mode);
        if (!mig) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (!mig_slots(index, &slots) || mode != 1) result = NVML_ERROR_NOT_SUPPORTED;   /* MIG is off */
        else if (slot >= (unsigned int)slots) result = NVML_ERROR_INVALID_ARGUMENT;
        else {
            int number = index * MAX_MIG + (int)slot;
            if (gpu(MIG_BASE + number) < 0) result = NVML_ERROR_NOT_FOUND;   /* an empty slot */
            else {
                mig_handles[number].index = MIG_BASE + number;
                *mig = &mig_handles[number];
            }
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int *is_mig) {
    int index;
    nvmlReturn_t result = begin_device(device, "index", &index);
    if (result == NVML_SUCCESS) {
        if (!is_mig) result = NVML_ERROR_INVALID_ARGUMENT;
        else *is_mig = index >= MIG_BASE;
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t mig, nvmlDevice_t *device) {
    int index;
    nvmlReturn_t result = begin_device(mig, "handle", &index);
    if (result == NVML_SUCCESS) {
        if (!device || index < MIG_BASE) result = NVML_ERROR_INVALID_ARGUMENT;
        else {
            int parent = (index - MIG_BASE) / MAX_MIG;
            devices[parent].index = parent;
            *device = &devices[parent];
        }
    }
    return end(result);
}
