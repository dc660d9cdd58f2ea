"""Shared pieces of the benchmark scripts: the machine's matmul peak, measured in the same run."""
import os, time
import torch

MALLOC = {'MALLOC_MMAP_THRESHOLD_': '4294967296', 'MALLOC_TRIM_THRESHOLD_': '4294967296'}


def check_malloc_env():
    "Warn when the glibc malloc settings that speed up CPU training and inference here are missing."
    missing = [k for k, v in MALLOC.items() if os.environ.get(k) != v]
    if missing:
        print(f"note: set {' '.join(f'{k}={MALLOC[k]}' for k in missing)} for representative CPU numbers")


def matmul_gflops(n: int = 4096, dtype=torch.float32, reps: int = 3) -> float:
    "Best-of-`reps` GFLOP/s of an n×n matmul in `dtype` on the CPU (2n³ flops)."
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def throughput(fn, n_items: int, warmup: int = 1, reps: int = 3) -> float:
    "Best items/s of `fn()` over `reps` timed calls after `warmup` untimed ones."
    for _ in range(warmup): fn()
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t)
    return n_items / best


def header(title: str):
    check_malloc_env()
    print(f'== {title}')
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs')
    fp32, bf16 = matmul_gflops(dtype=torch.float32), matmul_gflops(dtype=torch.bfloat16)
    print(f'matmul peak (4096², same run): fp32 {fp32:.0f} GFLOP/s, bf16 {bf16:.0f} GFLOP/s')
    return fp32, bf16
