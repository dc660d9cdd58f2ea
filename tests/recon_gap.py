"""What our generator's reconstruction gap to the plain CNN is made of (#24): short L1-only trainings at x4, one change each.

Not the method and not the recipe: a diagnosis. Every row trains from scratch for `--steps` steps at x4 (no growing, so
the rows differ in one thing only), batch 16, L1, lr decayed linearly to 0 over the second half, and is scored by
PSNR-Y on the first `--val` CelebA **val** faces (never test). Rows that change the paper's generator (no
normalisation, σ fixed to 1, a bicubic skip) are probes of where the gap lies, never candidates for "Ours".

    python tests/recon_gap.py --steps 1500 --seeds 0 1      # prints a Markdown table, writes --out as JSON
"""
import argparse, json, os, sys, time
from pathlib import Path
import numpy as np
import torch
from torch import nn
from selfsr.baselines.plain import PlainCNN
from selfsr.data import prepare, images
from selfsr.experiments import config_for
from selfsr.generator import ProgressiveGenerator
from selfsr.layers import EqualConv2d
from selfsr.metrics import psnr_y
from selfsr.selfcond import SelfCondBlock

class PlainNoSkip(PlainCNN):
    "The plain CNN without its bicubic skip: its tail predicts the whole image (tail initialised as a plain conv)."
    def __init__(self, **kw):
        super().__init__(**kw)
        self.tail.reset_parameters()
    def forward(self, lr):
        h = self.head(lr)
        return self.tail(self.ups(h + self.body(h)))

def ours(cfg, **changes) -> nn.Module:
    "The cpu profile's generator, started at x4; `changes` override its sizes."
    kw = dict(channels=cfg.gen_channels, convs_per_level=cfg.convs_per_level, cond_hidden=cfg.cond_hidden,
              shared_cond=cfg.shared_cond, feature_up=cfg.feature_up) | changes
    return ProgressiveGenerator(scale=cfg.scale, lr_size=cfg.lr_size, start_scale=cfg.scale, **kw)

def without_norm(G):
    for m in G.modules():
        if isinstance(m, SelfCondBlock): m.norm = nn.Identity()
    return G

def sigma_one(G):
    for m in G.modules():
        if isinstance(m, SelfCondBlock): m.sigma = lambda cond: torch.ones((), device=cond.device)
    return G

def rgb_3x3(G):
    for level in G.levels: level.to_rgb = EqualConv2d(level.to_rgb.weight.shape[1], 3, 3)
    return G

OURS_OPT = dict(lr=0.003, betas=(0.0, 0.99))    # the cpu profile's
PLAIN_OPT = dict(lr=1e-3, betas=(0.9, 0.999))   # the plain CNN's
ROWS = {  # name: (network from the cpu config, Adam settings)
    'Ours (cpu sizes)': (lambda c: ours(c), OURS_OPT),
    'Ours, Adam β1 0.9': (lambda c: ours(c), OURS_OPT | dict(betas=(0.9, 0.99))),
    'Ours, lr 0.006': (lambda c: ours(c), OURS_OPT | dict(lr=0.006)),
    'Ours, lr 0.012': (lambda c: ours(c), OURS_OPT | dict(lr=0.012)),
    'Ours, stem 128': (lambda c: ours(c, channels=(128, *c.gen_channels[1:])), OURS_OPT),
    'Ours, 4 convs a level': (lambda c: ours(c, convs_per_level=4), OURS_OPT),
    'Ours, 3×3 to_rgb': (lambda c: rgb_3x3(ours(c)), OURS_OPT),
    'probe: no normalisation': (lambda c: without_norm(ours(c)), OURS_OPT),
    'probe: σ = 1 (no condition)': (lambda c: sigma_one(ours(c)), OURS_OPT),
    'probe: bicubic skip': (lambda c: ours(c, bicubic_skip=True), OURS_OPT),
    'Plain CNN without its skip': (lambda c: PlainNoSkip(scale=c.scale), PLAIN_OPT),
    'Plain CNN': (lambda c: PlainCNN(scale=c.scale), PLAIN_OPT),
}

def train_row(make, opt_kw, cfg, train, val, steps, seed, batch=16):
    "Train one row for `steps` L1 steps; its PSNR-Y on `val`, seconds, s/step and parameter count."
    torch.manual_seed(seed); rng = np.random.default_rng(seed)
    G = make(cfg); opt = torch.optim.Adam(G.parameters(), **opt_kw)
    t0 = time.perf_counter()
    for s in range(steps):
        i = np.sort(rng.integers(0, len(train), batch))
        loss = (G(images(train.lr[i])) - images(train.hr[i])).abs().mean()
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        for g in opt.param_groups: g['lr'] = opt_kw['lr'] * min(1.0, 2 * (1 - (s + 1) / steps))
    seconds = time.perf_counter() - t0
    G.eval()
    with torch.no_grad(): sr = torch.cat([G(images(val.lr[j:j + 100])).clamp(0, 1) for j in range(0, len(val), 100)])
    return dict(psnr_y=round(psnr_y(sr, images(val.hr[:len(sr)])).mean().item(), 3), seconds=round(seconds, 1),
                s_per_step=round(seconds / steps, 4), params=sum(p.numel() for p in G.parameters()))

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=1500)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    ap.add_argument('--val', type=int, default=300, help='CelebA val faces scored (a multiple of 100)')
    ap.add_argument('--train-limit', type=int, default=20_000)
    ap.add_argument('--rows', nargs='*', default=list(ROWS), help='row names (default: all)')
    ap.add_argument('--data', default=os.environ.get('SELFSR_DATA', '../shared/data'))
    ap.add_argument('--out', default='recon_gap.json')
    a = ap.parse_args(argv)
    unknown = [r for r in a.rows if r not in ROWS]
    if unknown: print(f'--rows: unknown {unknown}; choose from {list(ROWS)}', file=sys.stderr); return 2
    if a.val % 100: print(f'--val must be a multiple of 100, got {a.val}', file=sys.stderr); return 2
    torch.set_num_threads(os.cpu_count() or 1)
    cfg = config_for('t4-paired-full', 'cpu')
    train = prepare('celeba', 'train', a.data, size=cfg.hr_size, scale=cfg.scale, limit=a.train_limit, progress=False)
    val = prepare('celeba', 'val', a.data, size=cfg.hr_size, scale=cfg.scale, limit=a.val, progress=False)
    out = {}
    for name in a.rows:
        out[name] = [train_row(*ROWS[name], cfg, train, val, a.steps, seed) for seed in a.seeds]
        print(name, out[name], flush=True)
    Path(a.out).write_text(json.dumps(dict(steps=a.steps, seeds=a.seeds, val=a.val, rows=out), indent=1))
    ref = np.mean([r['psnr_y'] for r in out.get('Ours (cpu sizes)', [{'psnr_y': np.nan}])])
    print(f'\n{a.steps} L1 steps at x4, batch 16, seeds {a.seeds}, PSNR-Y on {a.val} CelebA val faces\n')
    print('| row | PSNR-Y | vs ours | s/step | params |\n|---|---|---|---|---|')
    for name, rs in out.items():
        p = [r['psnr_y'] for r in rs]
        print(f"| {name} | {np.mean(p):.2f}{f' ± {np.std(p, ddof=1):.2f}' if len(p) > 1 else ''} | {'–' if np.isnan(ref) else f'{np.mean(p) - ref:+.2f}'} | "
              f"{np.mean([r['s_per_step'] for r in rs]):.3f} | {rs[0]['params']:,} |")
    return 0

if __name__ == '__main__': sys.exit(main())
