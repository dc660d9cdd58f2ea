"""Measures a restore model the way issue #25 asks, each part a sub-command (numbers for MODEL_CARD.md and the closing note).

  python tests/restore_report.py colour  --model M --degrader RUN   # --color-fix choice on CelebA val faces (never test)
  python tests/restore_report.py test    --model M --degrader RUN [--old-model OLD]  # 1,000 CelebA test faces degraded by RUN
  python tests/restore_report.py sizes   --model M --degrader RUN   # the size trial (selfsr.restore.size_trial) and the rule it gives
  python tests/restore_report.py photos  OUT [OUT ...]             # identity / color_shift over `selfsr restore` reports

M: a model file (default: the shipped one); RUN: the stage-1 degrader's run folder (FF + Idt). Set SELFSR_DATA.
"""
import argparse, json, os, sys
from pathlib import Path
import numpy as np
import torch
from selfsr import metrics
from selfsr.data import prepare
from selfsr.layers import bicubic
from selfsr.networks import load_degrader, pseudo_lr, super_resolve
from selfsr.restore import COLOR_FIXES, DEFAULT_COLOR_FIX, load_model, rule_from_trial, size_trial, wavelet_color_fix

DATA = Path(os.environ.get('SELFSR_DATA') or '../shared/data')
FIXES = {'none': COLOR_FIXES['none'], 'adain': COLOR_FIXES['adain'],
         **{f'wavelet L{k}': (lambda k: lambda sr, ref: wavelet_color_fix(sr, ref, levels=k))(k) for k in (1, 2, 3, 4, 5)}}


def faces(split:str, limit:int|None, size:int=64):
    "HR faces (N×3×size×size in [0, 1]) of CelebA `split`, as the SR stage prepares them."
    return torch.from_numpy(np.array(prepare('celeba', split, DATA, size=size, scale=4, limit=limit, progress=False).hr[:limit])).permute(0, 3, 1, 2).float() / 255


def lr_inputs(hr:torch.Tensor, degrader_run:str|None, seed:int=0) -> dict[str, torch.Tensor]:
    "The LR faces restore meets: clean bicubic shrinks (a photo's face), and the FF + Idt degrader's outputs (the trained domain)."
    out = {'bicubic LR': bicubic(hr, hr.shape[-1] // 4).clamp(0, 1)}
    if degrader_run:
        torch.manual_seed(seed)
        with torch.no_grad(): out['FF + Idt LR'] = pseudo_lr(load_degrader(degrader_run)[0], hr, hr.shape[-1] // 4)
    return out


def colour(args):
    G, cfg, _ = load_model(args.model)
    hr = faces('val', args.n)
    print(f'--color-fix trial: model {args.model or "shipped"}, {len(hr)} CelebA val faces at 64x64, LR 16x16; identity and color_shift against the HR face')
    for name, lr in lr_inputs(hr, args.degrader).items():
        net, up = super_resolve(G, cfg, lr), bicubic(lr, 64).clamp(0, 1)
        rows = {'bicubic': up, **{f'ours, {k}': f(net, up) for k, f in FIXES.items()}}
        print(f'\n{name}:\n| output | identity | color_shift | LPIPS |\n|---|---|---|---|')
        for k, x in rows.items():
            print(f'| {k} | {metrics.identity(x, hr).mean():.3f} | {metrics.color_shift(hr, x).mean():.2f} | {metrics.lpips_alex(x, hr).mean():.4f} |')


def test(args):
    hr = faces('test', 1000)
    lr = lr_inputs(hr, args.degrader)['FF + Idt LR']
    models = {'new': args.model, **({'old': args.old_model} if args.old_model else {})}
    rows = {'bicubic': bicubic(lr, 64).clamp(0, 1)}
    for k, m in models.items():
        G, cfg, info = load_model(m)
        rows[f'{k} ({info["sha256"][:8]})'] = out = super_resolve(G, cfg, lr)
        if k == 'new': rows[f'new, --color-fix {DEFAULT_COLOR_FIX}'] = COLOR_FIXES[DEFAULT_COLOR_FIX](out, rows['bicubic'])
    real = metrics.fid_stats(metrics.fid_features(hr))  # once for every row
    print(f'{len(hr)} CelebA test faces, 64x64 HR, LR by the FF + Idt degrader {args.degrader} (seed 0)')
    print('| output | PSNR-Y | LPIPS | FID | identity | color_shift |\n|---|---|---|---|---|---|')
    for k, x in rows.items():
        print(f'| {k} | {metrics.psnr_y(x, hr).mean():.2f} | {metrics.lpips_alex(x, hr).mean():.4f} | {metrics.fid(x, real):.1f} | '
              f'{metrics.identity(x, hr).mean():.3f} | {metrics.color_shift(hr, x).mean():.2f} |')


def sizes(args):
    G, cfg, _ = load_model(args.model)
    hr = np.ascontiguousarray(prepare('celeba', 'val', DATA, size=128, scale=8, limit=args.n, progress=False).hr[:args.n])
    fix, boxes = DEFAULT_COLOR_FIX, [12, 16, 20, 24, 32, 48, 64]
    for name, deg in (('clean (bicubic shrink)', None), ('FF + Idt degraded', load_degrader(args.degrader)[0] if args.degrader else None)):
        if name.startswith('FF') and deg is None: continue
        rows = [r for u in (2, 4) for r in size_trial(G, cfg, hr, boxes, u, color_fix=fix, degrader=deg)]
        print(f'\nsize trial, {name}: {len(hr)} CelebA val faces, color_fix {fix}; gain = LPIPS of bicubic minus ours (+ is ours better), ± 1 s.e.')
        print('| box px | found | u=2 ours | u=2 bicubic | u=2 gain | u=4 ours | u=4 bicubic | u=4 gain |\n|---|---|---|---|---|---|---|---|')
        for b in boxes:
            r2, r4 = (next(r for r in rows if r['box'] == b and r['upscale'] == u) for u in (2, 4))
            cell = lambda r: f"{r['lpips_sr']:.3f} | {r['lpips_bg']:.3f} | {r['gain']:+.3f} ± {r['gain_se']:.3f}" if r['detected'] else '– | – | –'
            print(f"| {b} | {r4['detected']} | {cell(r2)} | {cell(r4)} |")
        print('rule (template box / LR size where ours gains by > 2 s.e.):', rule_from_trial(rows, cfg.lr_size))


def photos(args):
    for out in args.out:
        reports = sorted(Path(out, 'reports').glob('*.json'))
        fs = [f for r in reports for f in json.loads(r.read_text())['faces']]
        opts = json.loads(reports[0].read_text())['options'] if reports else {}
        small = [f for f in fs if args.max_box and f['template_box'] <= args.max_box]
        for who, sel in (('restored faces', [f for f in fs if f['restored']]), (f'faces of template box <= {args.max_box} px', small), ('all faces', fs)):
            if not sel: print(f'{out}: {who}: none'); continue
            m = lambda k: np.mean([f[k] for f in sel])
            print(f'{out} ({len(reports)} photos, color_fix {opts.get("color_fix")}, all_faces {opts.get("restore_all")}): {who} {len(sel)} of {len(fs)}: '
                  f'identity ours {m("identity"):.3f} / network {m("identity_network"):.3f} / bicubic {m("identity_bicubic"):.3f}; '
                  f'color_shift ours {m("color_shift"):.2f} / network {m("color_shift_network"):.2f} / bicubic {m("color_shift_bicubic"):.2f}')


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    for name, f in (('colour', colour), ('test', test)):
        s = sub.add_parser(name); s.set_defaults(func=f)
        s.add_argument('--model'); s.add_argument('--degrader', required=name == 'test'); s.add_argument('--old-model')
        s.add_argument('--n', type=int, default=500)
    s = sub.add_parser('sizes'); s.set_defaults(func=sizes)
    s.add_argument('--model'); s.add_argument('--degrader'); s.add_argument('--n', type=int, default=100)
    s = sub.add_parser('photos'); s.add_argument('out', nargs='+'); s.set_defaults(func=photos)
    s.add_argument('--max-box', type=float, help='also summarise the faces of at most this template box (an older size rule)')
    a = p.parse_args()
    torch.set_grad_enabled(False)
    sys.exit(a.func(a))
