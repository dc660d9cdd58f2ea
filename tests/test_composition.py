"""The networks and losses compose into the paper's two training objectives and learn on a fixed batch."""
import subprocess, sys
from pathlib import Path
import torch
import torch.nn.functional as F
import pytest
from selfsr.degrade import FlowFieldDegrader, warp
from selfsr.discriminator import LRDiscriminator, ProgressiveDiscriminator
from selfsr.generator import ProgressiveGenerator
from selfsr.layers import bicubic
from selfsr.losses import (flow_tv_loss, hinge_d_loss, hinge_g_loss, identity_loss, lr_adv_d_loss, lr_adv_g_loss,
                           r1_penalty, reconstruction_loss)


def smooth_faces(n, size, seed=0):
    "Smooth random images: low-frequency noise upsampled, like blurry faces, in [0, 1]."
    g = torch.Generator().manual_seed(seed)
    return bicubic(torch.rand(n, 3, 4, 4, generator=g), size).clamp(0, 1)


def test_flow_degrader_learns_a_known_shift():
    # the target is the input moved by one pixel; with the identity loss pinning the intermediate image,
    # the only way to match it is through the flow, so the learned flow must approach (1, 0)
    torch.manual_seed(0)
    clean = smooth_faces(8, 16)
    shift = torch.zeros(8, 2, 16, 16); shift[:, 0] = 1.0
    target = warp(clean, shift)
    net = FlowFieldDegrader(ch=16, n_blocks=1)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for _ in range(300):
        out = net(clean)
        loss = (out.lr - target).abs().mean() + 10 * identity_loss(out.rgb, clean) + 0.1 * flow_tv_loss(out.flow)
        opt.zero_grad(); loss.backward(); opt.step()
    interior = net(clean).flow[:, 0, 2:-2, 2:-3]  # away from the clamped right edge
    assert abs(interior.mean().item() - 1.0) < 0.2, interior.mean().item()


def test_stage1_step_is_finite_and_moves_both_players():
    torch.manual_seed(0)
    G, D = FlowFieldDegrader(ch=16, n_blocks=1), LRDiscriminator(16, ch=16)
    clean, real = smooth_faces(8, 16, 1), smooth_faces(8, 16, 2)
    d_loss = lr_adv_d_loss(D(real), D(G(clean).lr.detach()))
    d_loss.backward()
    out = G(clean)
    g_loss = lr_adv_g_loss(D(out.lr)) + identity_loss(out.rgb, clean) + flow_tv_loss(out.flow)
    g_loss.backward()
    assert torch.isfinite(d_loss) and torch.isfinite(g_loss)
    assert all(p.grad is not None for p in G.parameters()) and all(p.grad is not None for p in D.parameters())


def test_generator_fits_a_fixed_batch_at_the_paper_lr():
    # Adam at the paper's 0.003, β = (0, 0.99), equalized lr: the reconstruction loss (Eq. 8) must fall
    torch.manual_seed(0)
    hr = smooth_faces(8, 32)
    lr = bicubic(hr, 16)
    G = ProgressiveGenerator(scale=2, lr_size=16, channels=16, cond_hidden=8)
    opt = torch.optim.Adam(G.parameters(), lr=0.003, betas=(0.0, 0.99))
    first = reconstruction_loss(G(lr), hr).item()
    for _ in range(60):
        loss = reconstruction_loss(G(lr), hr)
        opt.zero_grad(); loss.backward(); opt.step()
    assert loss.item() < 0.5 * first, (first, loss.item())


def test_hr_discriminator_step_with_r1_lowers_its_loss():
    torch.manual_seed(0)
    D = ProgressiveDiscriminator(scale=4, lr_size=16, channels=16, start_scale=4)
    real, fake = smooth_faces(8, 64, 3), torch.rand(8, 3, 64, 64)
    opt = torch.optim.Adam(D.parameters(), lr=0.003, betas=(0.0, 0.99))
    first = hinge_d_loss(D(real), D(fake)).item()
    for _ in range(10):
        real_ = real.detach().requires_grad_()
        real_logits = D(real_)
        loss = hinge_d_loss(real_logits, D(fake)) + r1_penalty(real_logits, real_, gamma=10.0)
        opt.zero_grad(); loss.backward(); opt.step()
    assert hinge_d_loss(D(real), D(fake)).item() < first
    assert torch.isfinite(hinge_g_loss(D(fake)))


def test_console_script():
    script = str(Path(sys.executable).parent / 'selfsr')  # the console script pip installed beside this Python
    out = subprocess.run([script, '--help'], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert 'usage: selfsr' in out.stdout
    out = subprocess.run([script, '--version'], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith('selfsr '), (out.stdout, out.stderr)
