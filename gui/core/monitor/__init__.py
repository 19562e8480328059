"""Live numbers: docker-stats formulas, the kernel's cgroup readings, the host through psutil, NVIDIA GPUs through
NVML, which container each GPU process belongs to, and the bounded time series behind the charts."""
