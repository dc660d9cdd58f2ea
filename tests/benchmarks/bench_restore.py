"""Speed of `selfsr restore` on this CPU: photos/s and ms per face over a folder of photos, the SR part's
achieved GFLOP/s, beside the matmul peak measured in the same run.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 python tests/benchmarks/bench_restore.py [--photos DIR] [--run RUN]
"""
import argparse, os, sys, tempfile, time
from pathlib import Path
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode
sys.path.insert(0, str(Path(__file__).parent))
from common import header
from selfsr import align as face_align
from selfsr.data import SkipImage, images, load_rgb
from selfsr.restore import RestoreOptions, load_model, photo_files, restore_photo
from selfsr.networks import super_resolve


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--photos', default=str(Path(os.environ.get('SELFSR_DATA', '../shared/data')) / 'wild' / 'photos'))
    p.add_argument('--run', help='SR run directory or model file (default: the shipped model)')
    p.add_argument('--upscale', type=int, default=4)
    p.add_argument('--limit', type=int, help='only the first N photos')
    a = p.parse_args()
    fp32, bf16 = header('selfsr restore')
    files = photo_files([a.photos])[:a.limit]
    if not files: sys.exit(f'no photos in {a.photos}: pass --photos DIR')
    model = load_model(a.run)
    G, cfg, info = model
    print(f"model {info['source']} ({info['experiment']}, {info['profile']}, step {info['step']}), {len(files)} photos from {a.photos}, --upscale {a.upscale}")
    with FlopCounterMode(display=False) as fc: G(torch.rand(1, 3, cfg.lr_size, cfg.lr_size))
    flops_face = fc.get_total_flops()
    opts = RestoreOptions(upscale=a.upscale, overwrite=True)
    with tempfile.TemporaryDirectory() as out:
        good = []
        for f in files:  # which photos decode (untimed); the first one warms YuNet, SFace and the model up
            try: load_rgb(f); good.append(f)
            except SkipImage as e: print(f'skipped {f}: {e}')
        if not good: sys.exit('no readable photo')
        restore_photo(good[0], out, model, opts)
        t0, faces, restored, detect_s, lrs = time.perf_counter(), 0, 0, 0.0, []
        for f in good:
            r = restore_photo(f, out, model, opts)
            faces += len(r['faces']); restored += sum(x['restored'] for x in r['faces'])
        total = time.perf_counter() - t0
        files = good
        for f in files:  # the parts, timed apart: detection, and the model on every face found
            image = np.asarray(load_rgb(f)[0])
            t = time.perf_counter(); found = face_align.detect_faces(image); detect_s += time.perf_counter() - t
            lrs += [face_align.warp(image, face_align.similarity(x.landmarks, cfg.lr_size), cfg.lr_size) for x in found]
    lr = images(np.stack(lrs)) if lrs else torch.zeros(0, 3, cfg.lr_size, cfg.lr_size)
    t = time.perf_counter()
    if len(lr): super_resolve(G, cfg, lr)
    sr_s = max(time.perf_counter() - t, 1e-9)
    print(f'whole pipeline: {len(files) / total:.2f} photos/s, {1000 * total / max(faces, 1):.1f} ms per face found '
          f'({faces} faces, {restored} restored, {total:.1f} s; includes decoding, writing and the report\'s identity / color_shift)')
    print(f'detection (YuNet): {1000 * detect_s / len(files):.1f} ms per photo')
    if not len(lr): return print('no faces found: no SR timing')
    print(f'SR model alone: {1000 * sr_s / len(lr):.2f} ms per face, {len(lr) / sr_s:.0f} faces/s, '
          f'{flops_face / 1e6:.1f} MFLOP per face, {flops_face * len(lr) / sr_s / 1e9:.1f} GFLOP/s achieved '
          f'(peak fp32 {fp32:.0f}, bf16 {bf16:.0f})')


if __name__ == '__main__':
    main()
