"""The restore pictures of README.md and MODEL_CARD.md, made from a shared photo by the shipped model (#25).

    python tests/restore_figures.py readme [--photo PHOTO] [--shrink 4] [--crop X0,Y0,X1,Y1]   # -> docs/images/restore_before_after.jpg
    python tests/restore_figures.py card   [--photo PHOTO] [--shrink 4] [--n 10]                  # -> selfsr/models/restored_faces.jpg

`readme`: the photo shrunk (as a small print of it would be), then a region of it at --upscale 4: bicubic (what an
enlargement without selfsr gives), `selfsr restore` with its default options, and the photo itself at that size.
`card`: per face the size rule restores in the shrunk photo, its 16×16 input (nearest), bicubic, ours, and the face
cut from the photo before shrinking (the reference), with identity and color_shift against that reference.
The default photo is the Solvay conference of 1927 (public domain); set SELFSR_DATA.
"""
import argparse, os, sys, tempfile
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from selfsr import align as face_align
from selfsr.data import images, load_rgb
from selfsr.layers import bicubic
from selfsr.metrics import color_shift, identity
from selfsr.restore import RestoreOptions, load_model, restore_faces, should_restore, template_box, upscale_image

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get('SELFSR_DATA') or ROOT.parent / 'shared' / 'data')
SOLVAY = DATA / 'wild' / 'photos' / 'psfrgan_Solvay_conference_1927.jpg'


def shrunk(path:Path, shrink:float) -> tuple[Image.Image, Path]:
    "The photo, and a file of it shrunk `shrink` times (bicubic), as a small print of it would be."
    photo = load_rgb(path)[0]
    small = photo.resize((round(photo.width / shrink), round(photo.height / shrink)), Image.BICUBIC) if shrink > 1 else photo
    dest = Path(tempfile.mkdtemp()) / 'small.png'
    small.save(dest)
    return photo, dest


def restored(path:Path, opts:RestoreOptions):
    "The photo, its detected faces, which the size rule restores, and restore_faces' outputs with the shipped model."
    G, cfg, info = load_model()
    image = np.asarray(load_rgb(path)[0])
    faces = face_align.detect_faces(image, opts.min_score, opts.min_size)
    keep = [opts.restore_all or should_restore(template_box(f.landmarks), opts.upscale, cfg.lr_size)[0] for f in faces]
    out, done = restore_faces(image, faces, G, cfg, opts.upscale, opts.bg, keep, color_fix=opts.color_fix)
    return image, faces, keep, out, done, info


def readme(a):
    opts = RestoreOptions()
    photo, path = shrunk(Path(a.photo), a.shrink)
    image, faces, keep, out, _, info = restored(path, opts)
    small = Image.fromarray(image)
    u = opts.upscale
    x0, y0, x1, y1 = map(int, a.crop.split(','))  # in the small photo's pixels
    panels = [upscale_image(image, u, opts.bg)[y0 * u:y1 * u, x0 * u:x1 * u], out[y0 * u:y1 * u, x0 * u:x1 * u]]
    if a.shrink > 1:  # the photo itself, at the output size, as the reference
        f = u / a.shrink
        panels.append(np.asarray(photo.resize((round(photo.width * f), round(photo.height * f)), Image.BICUBIC))[y0 * u:y1 * u, x0 * u:x1 * u])
    gap = np.full((8, panels[0].shape[1], 3), 255, np.uint8)
    dest = ROOT / 'docs' / 'images' / 'restore_before_after.jpg'
    dest.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate([x for p in panels for x in (p, gap)][:-1], 0)).save(dest, quality=88)
    inside = [k for f, k in zip(faces, keep) if x0 <= f.box[0] and f.box[0] + f.box[2] <= x1 and y0 <= f.box[1] and f.box[1] + f.box[3] <= y1]
    print(f'{dest.relative_to(ROOT)}: {Path(a.photo).name} shrunk {a.shrink}x to {small.width}x{small.height}, region x {x0}-{x1}, y {y0}-{y1}, '
          f'at --upscale {u}: top to bottom: bicubic, selfsr restore (model {info["sha256"][:12]}, color_fix {opts.color_fix}), the photo itself; '
          f'{sum(inside)} of the {len(inside)} faces in the region restored by the size rule ({sum(keep)} of {len(faces)} in the photo)')


def card(a):
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    opts = RestoreOptions()
    photo, path = shrunk(Path(a.photo), a.shrink)
    image, faces, keep, _, done, info = restored(path, opts)
    rows = [(f, d) for f, d, k in zip(faces, done, keep) if k][:a.n]
    if not rows: sys.exit(f'no face of {a.photo} shrunk {a.shrink}x is restored by the size rule: pass a larger --shrink')
    big = np.asarray(photo)  # the reference: each face cut from the photo before it was shrunk
    ref = images(np.stack([face_align.warp(big, face_align.similarity((f.landmarks + 0.5) * a.shrink - 0.5, 64), 64) for f, _ in rows]))
    lr = images(np.stack([d['lr'] for _, d in rows]))
    cols = {'input 16×16': torch.nn.functional.interpolate(lr, size=64, mode='nearest'), 'bicubic': bicubic(lr, 64).clamp(0, 1),
            'ours': images(np.stack([d['sr'] for _, d in rows])), 'the photo': ref}
    fig, ax = plt.subplots(len(cols), len(rows), figsize=(1.3 * len(rows), 1.55 * len(cols)), squeeze=False)
    for i, (name, x) in enumerate(cols.items()):
        ids, cs = identity(x, ref), color_shift(ref, x)
        ax[i, 0].set_ylabel(name, fontsize=8)
        for j in range(len(rows)):
            ax[i, j].imshow(x[j].permute(1, 2, 0).numpy()); ax[i, j].set_xticks([]); ax[i, j].set_yticks([])
            if name in ('bicubic', 'ours'): ax[i, j].set_title(f'id {ids[j]:.2f}  ΔE {cs[j]:.1f}', fontsize=6)
    fig.tight_layout()
    dest = ROOT / 'selfsr' / 'models' / 'restored_faces.jpg'
    fig.savefig(dest, dpi=100, pil_kwargs={'quality': 85}); plt.close(fig)
    ids = {k: identity(v, ref).mean().item() for k, v in cols.items() if k in ('bicubic', 'ours')}
    print(f'{dest.relative_to(ROOT)}: {len(rows)} faces of {Path(a.photo).name} shrunk {a.shrink}x (model {info["sha256"][:12]}, color_fix {opts.color_fix}); '
          f'mean identity to the unshrunk photo: bicubic {ids["bicubic"]:.3f}, ours {ids["ours"]:.3f}')


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('readme'); s.set_defaults(func=readme)
    s.add_argument('--photo', default=str(SOLVAY)); s.add_argument('--crop', default='200,58,470,128', help='X0,Y0,X1,Y1 in the shrunk photo')
    s.add_argument('--shrink', type=float, default=4, help='shrink the photo first, as a small scan of it would be (default 4: faces of about 25 px)')
    s = sub.add_parser('card'); s.set_defaults(func=card)
    s.add_argument('--photo', default=str(SOLVAY)); s.add_argument('--shrink', type=float, default=4); s.add_argument('--n', type=int, default=10)
    a = p.parse_args()
    torch.set_grad_enabled(False)
    a.func(a)
