"""Training and inference speed of the `cpu` and `paper` network sizes on this machine.

Prints s/step and img/s of a real training step (data, G and D forward and backward, both Adam
updates; a step without R1), of the final-scale generator at inference in fp32 and in bf16 autocast
with channels_last, and the achieved GFLOP/s (FLOPs counted by torch's FlopCounterMode) next to the
matmul peak measured in the same run.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 \\
        python tests/benchmarks/bench_train.py [--data ../shared/data] [--steps 5]
        python tests/benchmarks/bench_train.py --baselines [--runs RUNS]   # the compared methods' cpu steps
        python tests/benchmarks/bench_train.py --rows                      # each CelebA row against the plain rows

`--rows` times the step of every CelebA row of Tables I and IV at the `cpu` profile, in interleaved rounds,
and prints each row's median as a fraction of the plain L1 + GAN row's img/s (#12 asks ours to reach 50%).
`--baselines` times a step of every compared method of Tables I-II at the `cpu` profile instead; the
rows trained on a degrader's pseudo pairs need `--runs`, the runs folder holding their stage-1 runs.
"""
import argparse, os, sys, time
import torch
from torch.utils.flop_counter import FlopCounterMode
sys.path.insert(0, os.path.dirname(__file__))
from common import header
from selfsr.experiments import config_for
from selfsr.stage import growth
from selfsr.train import STAGES, stage_class
from selfsr.generator import n_params


def count_flops(fn) -> int:
    with FlopCounterMode(display=False) as fc: fn()
    return fc.get_total_flops()


class StepBench:
    "Final-scale training steps of `cfg` (R1 steps, every `r1_every`, timed apart and amortised); `time` adds a round."
    def __init__(self, cfg, data):
        self.cfg, self.stage = cfg, stage_class(cfg)(cfg, data, None, torch.device('cpu'))
        st = self.stage
        self.lazy = getattr(st, 'D', None) is not None and cfg.r1_gamma > 0  # stages whose D has R1 every r1_every steps
        late = list(range(cfg.steps - 1, -1, -1))
        self.ts = [t for t in late if not self.lazy or t % cfg.r1_every]  # the schedule's last steps: final scale, GAN on
        st.prepare_step(self.ts[0]); st.step(self.ts[0])  # warm-up
        self.flops = count_flops(lambda: (st.prepare_step(self.ts[0]), st.step(self.ts[0])))
        self.ts = self.ts[1:]
        self.times, self.r1 = [], 0.0
        if self.lazy:
            t = next(t for t in late if t % cfg.r1_every == 0)
            st.prepare_step(t); st.step(t)
            s = time.perf_counter(); st.step(t); self.r1 = time.perf_counter() - s

    def time(self, steps):
        for t in self.ts[len(self.times):len(self.times) + steps]:
            self.stage.prepare_step(t)
            s = time.perf_counter(); self.stage.step(t); self.times.append(time.perf_counter() - s)

    @property
    def r1_extra(self) -> float:
        "What an R1 step takes beyond the median plain step (0 without lazy R1)."
        return max(0.0, self.r1 - sorted(self.times)[len(self.times) // 2]) if self.lazy else 0.0

    @property
    def seconds(self) -> float:
        "Median s/step, R1's extra time amortised over its interval."
        return sorted(self.times)[len(self.times) // 2] + self.r1_extra / self.cfg.r1_every

    @property
    def img_s(self) -> float: return self.cfg.batch / self.seconds

    def report(self, peak, peak_bf16) -> str:
        cfg, st, sec = self.cfg, self.stage, self.seconds
        r1 = f', + R1 {self.r1_extra:.3f} s every {cfg.r1_every} steps' if self.lazy else ''
        return (f'  train step at {st.scale_label or f"LR {cfg.lr_size}"}, batch {cfg.batch}: {sec:.3f} s/step '
                f'(median of {len(self.times)}{r1}), {self.img_s:.1f} img/s, {self.flops / 1e9:.1f} GFLOP/step, {self.flops / sec / 1e9:.0f} GFLOP/s = '
                f'{self.flops / sec / 1e9 / (peak_bf16 if st.amp else peak):.0%} of the {"bf16" if st.amp else "fp32"} matmul peak')


def bench_step(cfg, data, steps, peak, peak_bf16):
    "Time `steps` final-scale training steps of `cfg` and print them. Returns (stage, img/s)."
    b = StepBench(cfg, data)
    b.time(steps)
    print(b.report(peak, peak_bf16))
    return b.stage, b.img_s


def bench_inference(G, cfg, peak, peak_bf16, batch=32):
    G = G.eval()
    lr = torch.rand(batch, 3, cfg.lr_size, cfg.lr_size)
    with torch.no_grad():
        flops = count_flops(lambda: G(lr)) / batch
        for name, ctx, fmt, pk in (('fp32', torch.autocast('cpu', enabled=False), torch.contiguous_format, peak),
                                   ('bf16 + channels_last', torch.autocast('cpu', dtype=torch.bfloat16), torch.channels_last, peak_bf16)):
            g, x = G.to(memory_format=fmt), lr.contiguous(memory_format=fmt)
            with ctx:
                g(x)
                best = float('inf')
                for _ in range(3):
                    s = time.perf_counter(); g(x); best = min(best, time.perf_counter() - s)
            print(f'  inference {name}: {batch / best:.1f} img/s, {flops / 1e9:.2f} GFLOP/img, '
                  f'{flops * batch / best / 1e9:.0f} GFLOP/s = {flops * batch / best / 1e9 / pk:.0%} of the {name.split()[0]} peak')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('SELFSR_DATA', '../shared/data'))
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--paper-batch', type=int, default=8, help='batch for the paper-size step (the paper used 48 on 4 GPUs)')
    p.add_argument('--baselines', action='store_true', help="time the compared methods' cpu-profile steps instead")
    p.add_argument('--rows', action='store_true', help="time the cpu step of every CelebA row of Tables I and IV beside the plain CNN rows'")
    p.add_argument('--runs', help='runs folder with the stage-1 runs the pseudo-pair rows need (<runs>/cpu/<experiment>)')
    args = p.parse_args()
    peak, peak_bf16 = header('selfsr training and inference on the CPU')
    if args.baselines: return bench_baselines(args, peak, peak_bf16)
    if args.rows: return bench_rows(args, peak, peak_bf16)
    for profile, name, over in (('cpu', 't4-paired-full', {}), ('cpu', 't3-ff-idt-deg', {}),
                                ('paper', 't4-paired-full', {'batch': args.paper_batch}), ('paper', 't3-ff-idt-deg', {})):
        cfg = config_for(name, profile, device='cpu', **over)
        stage = STAGES[cfg.stage]
        nets = f'{cfg.stage} stage'
        print(f'\n{profile} profile, {name} ({nets}): {cfg.lr_size}→{cfg.hr_size if cfg.stage == "sr" else cfg.lr_size}')
        st, _ = bench_step(cfg, args.data, args.steps, peak, peak_bf16)
        print('  parameters: ' + ', '.join(f'{k} {n_params(m) / 1e6:.2f}M' for k, m in st.nets.items()))
        if cfg.stage == 'sr': bench_inference(st.G, cfg, peak, peak_bf16)


def bench_baselines(args, peak, peak_bf16):
    from selfsr.experiments import EXPERIMENTS
    for name, e in EXPERIMENTS.items():
        if 'method' not in e.settings or name.endswith('-helen'): continue
        if e.needs and not args.runs:
            print(f'\n{name}: skipped (trains on {e.needs} pseudo pairs: pass --runs)'); continue
        cfg = config_for(name, 'cpu', device='cpu', degrader_run=os.path.join(args.runs, 'cpu', e.needs) if e.needs else None)
        print(f'\ncpu profile, {name} ({cfg.method}, {cfg.lr_size}→{cfg.hr_size}, {cfg.precision})')
        st, _ = bench_step(cfg, args.data, args.steps, peak, peak_bf16)
        print('  parameters: ' + ', '.join(f'{k} {n_params(m) / 1e6:.3f}M' for k, m in st.nets.items()))


def bench_rows(args, peak, peak_bf16, rounds:int=5):
    "Each CelebA row's cpu training step, as a fraction of the plain L1 + GAN row's img/s measured in this run."
    from selfsr.experiments import rows, experiment
    paired = [e for t in ('IV', 'I') for e in rows(t) if e.settings.get('dataset') == 'celeba' and e.settings.get('setting') == 'paired']
    runs = {}  # one row per run: Table I's Ours-P and plain rows are Table IV's runs
    for e in [experiment('t4-paired-plain-gan'), experiment('t4-paired-plain-l1'), *paired]: runs.setdefault(e.same_as or e.name, e.name)
    benches = {name: StepBench(config_for(name, 'cpu', device='cpu'), args.data) for name in runs.values()}
    for _ in range(rounds):  # round robin: a slow spell of this shared machine hits every row alike, not one
        for b in benches.values(): b.time(args.steps)
    for name, b in benches.items():
        print(f'\ncpu profile, {name} ({b.cfg.method}, {b.cfg.lr_size}→{b.cfg.hr_size}, batch {b.cfg.batch}, {b.cfg.steps} steps)')
        print(b.report(peak, peak_bf16))
    bar = benches['t4-paired-plain-gan'].img_s
    print(f'\nimg/s of each row\'s step against the plain L1 + GAN row\'s (same run, {rounds} interleaved rounds of {args.steps} steps):')
    for name, b in benches.items(): print(f'  {name:24s} {b.img_s:7.1f} img/s  {b.img_s / bar:5.0%}')


if __name__ == '__main__': main()
