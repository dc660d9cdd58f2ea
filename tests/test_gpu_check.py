"""`tests/benchmarks/gpu_check.py`: one skip line without CUDA; its code path, run on the CPU at `tiny`, times every scale and finds resume exact."""
import os, subprocess, sys
from pathlib import Path
import pytest, torch

SCRIPT = Path(__file__).parent / 'benchmarks' / 'gpu_check.py'
DATA = os.environ.get('SELFSR_DATA', str(Path(__file__).resolve().parents[2] / 'shared' / 'data'))

def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)

@pytest.mark.skipif(torch.cuda.is_available(), reason='this machine has CUDA: the check runs for real')
def test_skips_with_one_line_without_cuda():
    r = run()
    assert r.returncode == 0 and r.stdout.startswith('gpu_check: skipped: no CUDA device') and len(r.stdout.splitlines()) == 1, r.stdout + r.stderr

def test_cpu_tiny_path():
    r = run('--device', 'cpu', '--profile', 'tiny', '--data', DATA, '--steps', '3', '--resume-steps', '40')
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    lines = r.stdout.splitlines()
    assert [l.split(' ')[0] for l in lines if 's/step' in l] == ['x2', 'x4'], lines   # t4-paired-full at tiny: ×2, then ×4
    resume = [l for l in lines if l.startswith('resume: killed after checkpoint ')]
    assert resume and int(resume[0].split()[4].rstrip(',')) < 40 and ', resumed to 40;' in resume[0] and resume[0].endswith(': ok'), lines
