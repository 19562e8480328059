/* A fake libnvidia-ml.so.1 for tests: the real NVML signatures and struct layouts, so pynvml runs unchanged.
 *
 * Build: gcc -shared -fPIC -Wl,-soname,libnvidia-ml.so.1 -o libnvidia-ml.so.1 fake_nvml.c -lpthread
 * Load it with ctypes.CDLL(path, RTLD_GLOBAL) before pynvml loads "libnvidia-ml.so.1": the dynamic loader then
 * hands pynvml this library because its soname matches.
 *
 * What the "GPUs" report comes from a text file named by the environment variable FAKE_NVML_CONFIG. The file is
 * read again on every call, so a test can change a value between two samples. One "key=value" per line; lines
 * starting with '#' and blank lines are ignored; later lines win. Keys:
 *
 *   init_error=9                  nvmlInit* returns this code (9 = driver not loaded, 4 = no permission, ...)
 *   driver=535.104.05             nvmlSystemGetDriverVersion
 *   cuda=12020                    nvmlSystemGetCudaDriverVersion(_v2)   (12.2)
 *   gpu_count=2                   nvmlDeviceGetCount(_v2)
 *   error.<call>=<code>           a system call fails: driver_version, cuda_version, count
 *   gpu.<i>.name=NVIDIA H100 80GB HBM3
 *   gpu.<i>.uuid=GPU-...          default GPU-00000000-0000-0000-0000-00000000000<i>
 *   gpu.<i>.memory_total=<bytes>  gpu.<i>.memory_used=<bytes>  gpu.<i>.memory_reserved=<bytes>
 *   gpu.<i>.utilization_gpu=<%>   gpu.<i>.utilization_memory=<%>
 *   gpu.<i>.temperature=<C>       gpu.<i>.fan_speed=<%>
 *   gpu.<i>.power_usage=<mW>      gpu.<i>.power_limit=<mW>
 *   gpu.<i>.processes=<pid>:<bytes>,<pid>:<bytes>            running compute processes
 *   gpu.<i>.graphics_processes=<pid>:<bytes>,...              running graphics processes
 *   gpu.<i>.error.<call>=<code>   a device call fails; <call> is handle, name, uuid, index, memory, utilization,
 *                                 temperature, fan_speed, power_usage, power_limit, processes,
 *                                 graphics_processes, or "all" for every call on that GPU (15 = GPU lost)
 *
 * A measurement that is not in the file answers NVML_ERROR_NOT_SUPPORTED, as a real GPU does for what it lacks.
 * Without the variable (or with an unreadable file) nvmlInit answers NVML_ERROR_DRIVER_NOT_LOADED, like a
 * computer without a running driver. fake_nvml_reset() forgets any nvmlInit (a loaded library cannot be
 * unloaded, so tests reset it instead).
 *
 * To add a call for a new measurement: look up its prototype and struct in nvml.h / pynvml.py, pick a key, and
 * follow nvmlDeviceGetTemperature below.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#define MAX_ENTRIES 512
#define MAX_LINE 512
#define MAX_PROCESSES 64

/* nvmlDevice_t is an opaque pointer; ours points into this array so the index is the offset. */
typedef struct nvmlDevice_st { int index; } *nvmlDevice_t;
static struct nvmlDevice_st devices[MAX_DEVICES];

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
#define nvmlMemory_v2 (unsigned int)(sizeof(nvmlMemory_v2_t) | (2 << 24U))
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;   /* nvmlProcessInfo_v2_t, which the _v3 calls use too */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int init_count;
static struct { char key[MAX_LINE]; char value[MAX_LINE]; } entries[MAX_ENTRIES];
static int entry_count;
static int config_found;

/* ---- the config file ---- */

static void strip(char *text) {
    size_t length = strlen(text);
    while (length && (text[length - 1] == '\n' || text[length - 1] == '\r' || text[length - 1] == ' '))
        text[--length] = '\0';
}

static void reload_config(void) {
    entry_count = 0;
    config_found = 0;
    const char *path = getenv("FAKE_NVML_CONFIG");
    if (!path || !*path) return;
    FILE *file = fopen(path, "r");
    if (!file) return;
    config_found = 1;
    char line[MAX_LINE * 2];
    while (fgets(line, sizeof line, file) && entry_count < MAX_ENTRIES) {
        strip(line);
        char *equals = strchr(line, '=');
        if (line[0] == '#' || !equals) continue;
        *equals = '\0';
        snprintf(entries[entry_count].key, MAX_LINE, "%s", line);
        snprintf(entries[entry_count].value, MAX_LINE, "%s", equals + 1);
        entry_count++;
    }
    fclose(file);
}

static const char *lookup(const char *key) {
    for (int i = entry_count - 1; i >= 0; i--)   /* later lines win */
        if (strcmp(entries[i].key, key) == 0) return entries[i].value;
    return NULL;
}

static const char *device_value(int index, const char *name) {
    char key[MAX_LINE];
    snprintf(key, sizeof key, "gpu.%d.%s", index, name);
    return lookup(key);
}

static long long number(const char *text) { return strtoll(text, NULL, 10); }

/* The error injected for a system call ("error.<call>") or 0. */
static nvmlReturn_t system_error(const char *call) {
    char key[64];
    snprintf(key, sizeof key, "error.%s", call);
    const char *value = lookup(key);
    return value ? (nvmlReturn_t)number(value) : NVML_SUCCESS;
}

static int gpu_count(void) {
    const char *value = lookup("gpu_count");
    int count = value ? (int)number(value) : 0;
    return count < 0 ? 0 : count > MAX_DEVICES ? MAX_DEVICES : count;
}

/* Common start of every call after nvmlInit: lock, re-read the file, check the library is initialised. */
static nvmlReturn_t begin(void) {
    pthread_mutex_lock(&lock);
    reload_config();
    if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
    if (!config_found) return NVML_ERROR_DRIVER_NOT_LOADED;   /* the "driver" went away after init */
    return NVML_SUCCESS;
}

static nvmlReturn_t end(nvmlReturn_t result) {
    pthread_mutex_unlock(&lock);
    return result;
}

/* Common start of a device call: the checks of begin(), a valid handle, and any injected error. */
static nvmlReturn_t begin_device(nvmlDevice_t device, const char *call, int *index) {
    nvmlReturn_t result = begin();
    if (result != NVML_SUCCESS) return result;
    if (device < devices || device >= devices + MAX_DEVICES) return NVML_ERROR_INVALID_ARGUMENT;
    *index = (int)(device - devices);
    if (*index >= gpu_count()) return NVML_ERROR_GPU_IS_LOST;   /* the GPU left the bus since its handle */
    const char *value = device_value(*index, "error.all");
    if (!value) {
        char name[64];
        snprintf(name, sizeof name, "error.%s", call);
        value = device_value(*index, name);
    }
    return value ? (nvmlReturn_t)number(value) : NVML_SUCCESS;
}

static nvmlReturn_t copy_text(const char *text, char *buffer, unsigned int length) {
    if (!buffer) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(text) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buffer, text);
    return NVML_SUCCESS;
}

/* A unsigned measurement from the file, or NOT_SUPPORTED when the file does not have it. */
static nvmlReturn_t device_number(nvmlDevice_t device, const char *call, const char *key, unsigned int *out) {
    int index;
    nvmlReturn_t result = begin_device(device, call, &index);
    if (result == NVML_SUCCESS) {
        const char *value = device_value(index, key);
        if (!out) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (!value) result = NVML_ERROR_NOT_SUPPORTED;
        else *out = (unsigned int)number(value);
    }
    return end(result);
}

/* ---- initialisation ---- */

nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
    (void)flags;
    pthread_mutex_lock(&lock);
    reload_config();
    nvmlReturn_t result = NVML_ERROR_DRIVER_NOT_LOADED;
    if (config_found) {
        const char *error = lookup("init_error");
        result = error ? (nvmlReturn_t)number(error) : NVML_SUCCESS;
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

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) result = system_error("driver_version");
    if (result == NVML_SUCCESS) {
        const char *value = lookup("driver");
        result = copy_text(value ? value : "535.104.05", version, length);
    }
    return end(result);
}

nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) {
        const char *value = lookup("driver");
        char text[MAX_LINE];
        snprintf(text, sizeof text, "12.%s", value ? value : "535.104.05");
        result = copy_text(text, version, length);
    }
    return end(result);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) result = system_error("cuda_version");
    if (result == NVML_SUCCESS) {
        const char *value = lookup("cuda");
        if (!version) result = NVML_ERROR_INVALID_ARGUMENT;
        else if (!value) result = NVML_ERROR_NOT_SUPPORTED;
        else *version = (int)number(value);
    }
    return end(result);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) { return nvmlSystemGetCudaDriverVersion(version); }

/* ---- devices ---- */

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) result = system_error("count");
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
            const char *error = device_value((int)index, "error.all");
            if (!error) error = device_value((int)index, "error.handle");
            result = error ? (nvmlReturn_t)number(error) : NVML_SUCCESS;
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

static void default_uuid(int index, char *buffer, size_t length) {
    snprintf(buffer, length, "GPU-00000000-0000-0000-0000-%012d", index);
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
    nvmlReturn_t result = begin();
    if (result == NVML_SUCCESS) {
        result = NVML_ERROR_NOT_FOUND;
        for (int i = 0; uuid && device && i < gpu_count(); i++) {
            char fallback[64];
            const char *value = device_value(i, "uuid");
            default_uuid(i, fallback, sizeof fallback);
            if (strcmp(uuid, value ? value : fallback) == 0) {
                devices[i].index = i;
                *device = &devices[i];
                result = NVML_SUCCESS;
                break;
            }
        }
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    int index;
    nvmlReturn_t result = begin_device(device, "name", &index);
    if (result == NVML_SUCCESS) {
        const char *value = device_value(index, "name");
        result = copy_text(value ? value : "Fake GPU", name, length);
    }
    return end(result);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    int index;
    nvmlReturn_t result = begin_device(device, "uuid", &index);
    if (result == NVML_SUCCESS) {
        char fallback[64];
        const char *value = device_value(index, "uuid");
        default_uuid(index, fallback, sizeof fallback);
        result = copy_text(value ? value : fallback, uuid, length);
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
        const char *total = device_value(index, "memory_total");
        const char *reserved = device_value(index, "memory_reserved");
        const char *used = device_value(index, "memory_used");
        if (!total) {
            result = NVML_ERROR_NOT_SUPPORTED;
        } else {
            values[0] = (unsigned long long)number(total);
            values[1] = reserved ? (unsigned long long)number(reserved) : 0;
            values[2] = used ? (unsigned long long)number(used) : 0;
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
        const char *gpu = device_value(index, "utilization_gpu");
        const char *memory = device_value(index, "utilization_memory");
        if (!utilization) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        } else if (!gpu) {
            result = NVML_ERROR_NOT_SUPPORTED;
        } else {
            utilization->gpu = (unsigned int)number(gpu);
            utilization->memory = memory ? (unsigned int)number(memory) : 0;
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

/* "<pid>:<bytes>,<pid>:<bytes>" -> processes; returns how many. */
static unsigned int parse_processes(const char *text, nvmlProcessInfo_t *out, unsigned int capacity) {
    unsigned int count = 0;
    while (text && *text && count < capacity) {
        char *rest;
        unsigned long pid = strtoul(text, &rest, 10);
        unsigned long long used = 0;
        if (*rest == ':') used = strtoull(rest + 1, &rest, 10);
        out[count].pid = (unsigned int)pid;
        out[count].usedGpuMemory = used;
        out[count].gpuInstanceId = 0xFFFFFFFF;       /* no MIG */
        out[count].computeInstanceId = 0xFFFFFFFF;
        count++;
        text = strchr(rest, ',');
        if (text) text++;
    }
    return count;
}

/* The NVML two-call protocol: with too small a buffer, report the count and INSUFFICIENT_SIZE. */
static nvmlReturn_t running_processes(nvmlDevice_t device, const char *key, unsigned int *count,
                                      nvmlProcessInfo_t *infos) {
    int index;
    nvmlReturn_t result = begin_device(device, key, &index);
    if (result == NVML_SUCCESS) {
        nvmlProcessInfo_t found[MAX_PROCESSES];
        unsigned int total = parse_processes(device_value(index, key), found, MAX_PROCESSES);
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
