"""The paper profile on a CUDA machine, in a few minutes: speed, the projected length of a real run, exact resume.

On one GPU, times the real training step of `t4-paired-full` at the `paper` profile in bf16 at each of its
three scales (×2, ×4, ×8: the schedule's 20k / 60k / 80k steps), prints img/s, s/step and achieved TFLOP/s
beside the bf16 matmul peak measured in the same run, and the projected hours for the paper's 160k steps;
with several GPUs it then trains the same rows under `torchrun` on all of them and prints their img/s. Then it
checks resume on CUDA: a short run killed with SIGKILL after a checkpoint and resumed must end where an
uninterrupted run ends, within the difference between two uninterrupted runs (CUDA's conv and upsampling
backward kernels are not bit-deterministic, so that difference is the floor).

    python tests/benchmarks/gpu_check.py [--data ../shared/data] [--steps 20]

Without CUDA it prints one line saying so and exits 0 (CI runs that). `--device cpu --profile tiny` runs the
same code on a CPU, to test the script itself.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time
from pathlib import Path
import torch



def bf16_peak(device, n=8192, reps=5) -> float:
    "Best TFLOP/s of an n×n bf16 matmul on `device` (2n³ flops)."
    a, b = (torch.randn(n, n, device=device, dtype=torch.bfloat16) for _ in range(2))
    a @ b; sync(device)
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); a @ b; sync(device); best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e12


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def phases(cfg) -> list[tuple[int, int]]:
    "The schedule's phases, one a scale: (first step, end)."
    edges = [0, *cfg.grow_at, cfg.steps]
    return list(zip(edges, edges[1:]))


def time_scales(cfg, data, device, steps) -> list[dict]:
    "s/step and FLOPs of a step in the middle of each phase (the real stage: data, G, D, both updates; no lazy-R1 step)."
    from torch.utils.flop_counter import FlopCounterMode
    from selfsr.train import stage_class
    stage = stage_class(cfg)(cfg, data, None, device)
    out = []
    for a, b in phases(cfg):
        ts = [t for t in range((a + b) // 2, b + 10 * steps) if t % cfg.r1_every][:steps + 2]
        stage.prepare_step(ts[0]); label = stage.scale_label
        stage.step(ts[0]); sync(device)
        with FlopCounterMode(display=False) as fc: stage.step(ts[1])
        sync(device); t0 = time.perf_counter()
        for t in ts[2:]: stage.prepare_step(t); stage.step(t)
        sync(device)
        out.append(dict(s_step=(time.perf_counter() - t0) / len(ts[2:]), flops=fc.get_total_flops(), scale=label, steps=b - a))
    return out


def project_hours(per) -> float:
    "Hours for the whole schedule: the steps of each phase times its s/step."
    return sum(r['steps'] * r['s_step'] for r in per) / 3600


def run_cli(args, env=None, kill_after=None, log=None):
    "`selfsr train …` in a subprocess; with `kill_after`, SIGKILL it once its checkpoint has that step."
    proc = subprocess.Popen([sys.executable, '-c', 'import sys, selfsr.cli; sys.exit(selfsr.cli.main())', *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    if kill_after is None:
        _, err = proc.communicate()
        if proc.returncode: sys.exit(f'gpu_check: {" ".join(args[:2])} failed: {err.decode()[-2000:]}')
        return
    while proc.poll() is None and not (log.exists() and any(json.loads(l)['step'] > kill_after for l in log.read_text().splitlines() if l.strip().endswith('}'))):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL); proc.wait()


def weights(run) -> dict:
    from selfsr.networks import load_checkpoint
    ck = load_checkpoint(Path(run) / 'ckpt.pt')
    return {f'{k}.{n}': t.float() for k, sd in ck['nets'].items() for n, t in sd.items() if t.is_floating_point()}, ck['step']


def max_diff(a, b) -> float: return max((a[k] - b[k]).abs().max().item() for k in a)


def short(cfg, steps, **more) -> list[str]:
    "`--set` options that shrink `cfg`'s schedule to `steps`, every scale visited."
    n = len(cfg.grow_at)
    sets = dict(steps=steps, grow_at=[steps * (i + 1) // (2 * n) for i in range(n)], fade_steps=max(1, steps // 8),
                sample_every=10 * steps, log_every=1, **more)
    return [a for k, v in sets.items() for a in ('--set', f'{k}={json.dumps(v).replace(" ", "")}')]


def check_resume(cfg, data, device, steps, tmp) -> bool:
    "Two uninterrupted runs and one killed after its first checkpoint then resumed; True if resume is within the floor."
    base = ['train', cfg.experiment, '--profile', cfg.profile, '--data', str(data), '--no-eval', '--device', device.type] + \
           short(cfg, steps, ckpt_every=steps // 4, precision=cfg.precision)
    for name in ('whole', 'again'): run_cli(base + ['--out', str(tmp / name)])
    run_cli(base + ['--out', str(tmp / 'killed')], kill_after=steps // 4 + 1, log=tmp / 'killed' / 'metrics.jsonl')
    (w, _), (w2, _), (k, at) = weights(tmp / 'whole'), weights(tmp / 'again'), weights(tmp / 'killed')
    if at >= steps: sys.exit('gpu_check: the run finished before it could be killed; raise --resume-steps')
    run_cli(base + ['--out', str(tmp / 'killed'), '--resume'])
    (k, end) = weights(tmp / 'killed')
    floor, resumed = max_diff(w, w2), max_diff(w, k)
    ok = end == steps and resumed <= max(floor, 1e-6) * 1.5
    print(f'resume: killed after checkpoint {at}, resumed to {end}; max |Δw| resumed vs whole {resumed:.3g}, '
          f'two whole runs {floor:.3g} (the nondeterminism floor): {"ok" if ok else "FAILED"}')
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=os.environ.get('SELFSR_DATA', '../shared/data'))
    p.add_argument('--experiment', default='t4-paired-full')
    p.add_argument('--profile', default='paper')
    p.add_argument('--device', default='cuda', choices=['cuda', 'cpu'])
    p.add_argument('--steps', type=int, default=20, help='timed steps at each scale')
    p.add_argument('--resume-steps', type=int, default=40, help='length of the runs of the resume check')
    a = p.parse_args()
    if a.device == 'cuda' and not torch.cuda.is_available():
        print(f'gpu_check: skipped: no CUDA device (torch {torch.__version__} sees none); run it on a CUDA machine')
        return 0
    from selfsr.experiments import config_for
    device = torch.device(a.device)
    cfg = config_for(a.experiment, a.profile, precision='bf16' if a.device == 'cuda' else 'fp32', device=a.device)
    name = torch.cuda.get_device_name(device) if a.device == 'cuda' else 'CPU'
    peak = bf16_peak(device) if a.device == 'cuda' else float('nan')
    print(f'== gpu_check: {a.experiment} at {a.profile}, batch {cfg.batch}, {cfg.precision}, on {name}; '
          f'torch {torch.__version__}; bf16 matmul peak (8192², same run) {peak:.0f} TFLOP/s')
    t0 = time.perf_counter()
    per = time_scales(cfg, a.data, device, a.steps)
    for r in per:
        print(f'{r["scale"]} ({r["steps"]:,} steps): {r["s_step"]:.3f} s/step, {cfg.batch / r["s_step"]:.0f} img/s, '
              f'{r["flops"] / r["s_step"] / 1e12:.1f} TFLOP/s achieved')
    print(f'projected: {project_hours(per):.1f} h for {cfg.steps:,} steps on one device (the paper: about 24 h on 4 V100s)')
    tmp = Path(tempfile.mkdtemp(prefix='gpu_check_'))
    if a.device == 'cuda' and (n := torch.cuda.device_count()) > 1:
        out = tmp / 'ddp'
        args = ['train', a.experiment, '--profile', a.profile, '--data', a.data, '--no-eval', '--out', str(out)] + \
               short(cfg, a.resume_steps, ckpt_every=a.resume_steps, precision=cfg.precision)
        subprocess.run(['torchrun', '--standalone', f'--nproc_per_node={n}', str(Path(sys.executable).parent / 'selfsr'), *args], check=True)
        recs = [json.loads(l) for l in (out / 'metrics.jsonl').read_text().splitlines() if l.strip()]
        print(f'torchrun on {n} GPUs: {recs[-1].get("img_s", float("nan")):.0f} img/s (last logged step, batch {cfg.batch} over {n} processes)')
    ok = check_resume(cfg, a.data, device, a.resume_steps, tmp)
    print(f'gpu_check: {"passed" if ok else "FAILED"} in {time.perf_counter() - t0:.0f} s')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
