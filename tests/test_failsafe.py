"""Hostile input to training and reproduction (issue 15): killed runs, unsafe or damaged checkpoints, a hand-edited
config.json. Each case ends in a clean restart or in one line naming the file, never a traceback or a duplicated log."""
import argparse, json, os, signal, time
from pathlib import Path
import pytest
import torch
from selfsr.cli import main
from selfsr.experiments import config_for
from selfsr.paths import atomic_path
from selfsr.networks import load_checkpoint
from selfsr.sr_stage import SRStage
from selfsr.train import train

DATA = Path(os.environ.get('SELFSR_DATA') or Path(__file__).resolve().parents[2] / 'shared' / 'data')
needs_data = pytest.mark.skipif(not (DATA / 'celeba').is_dir(), reason=f'no face photos at {DATA} (set SELFSR_DATA)')


def logged_steps(run: Path) -> list[int]:
    return [json.loads(l)['step'] for l in (run / 'metrics.jsonl').read_text().splitlines()]


def killed_writer(dest: Path):
    "Leave what a process killed inside `atomic_path(dest)` leaves: its temporary folder, half written."
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            with atomic_path(dest) as tmp:
                tmp.write_bytes(b'half a checkpoint'); os.write(w, b'1'); time.sleep(60)
        finally: os._exit(0)
    os.read(r, 1); os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0)


@needs_data
def test_restart_without_checkpoint_logs_each_step_once(tmp_path):
    # a run killed after its first metrics lines (the last one torn) but before its first checkpoint
    cfg = config_for('t4-paired-full', 'tiny', device='cpu')
    run = tmp_path / 'run'; run.mkdir()
    (run / 'metrics.jsonl').write_text('{"step": 1, "d_hinge": 1.5}\n{"step": 2, "d_hi')
    train(cfg, run, DATA, tmp_path / 'cache', resume=True, progress=False, evaluate=False)
    assert logged_steps(run) == list(range(1, cfg.steps + 1))


@needs_data
def test_resume_after_a_kill_mid_checkpoint(tmp_path, monkeypatch):
    cfg = config_for('t4-paired-full', 'tiny', device='cpu')  # 6 steps, a checkpoint every 2
    assert (cfg.steps, cfg.ckpt_every, cfg.log_every) == (6, 2, 1)
    run, cache = tmp_path / 'run', tmp_path / 'cache'
    step = SRStage.step
    def dies_at_5(self, t):
        if t == 4: raise KeyboardInterrupt  # stands for the kill: step 5 is never logged nor checkpointed
        return step(self, t)
    monkeypatch.setattr(SRStage, 'step', dies_at_5)
    with pytest.raises(KeyboardInterrupt): train(cfg, run, DATA, cache, progress=False, evaluate=False)
    monkeypatch.setattr(SRStage, 'step', step)
    assert load_checkpoint(run / 'ckpt.pt')['step'] == 4 and logged_steps(run) == [1, 2, 3, 4]
    with open(run / 'metrics.jsonl', 'a') as f: f.write('{"step": 5, "d_hin')  # SIGKILL mid-line
    killed_writer(run / 'ckpt.pt')                                          # and mid-checkpoint
    assert [p for p in run.iterdir() if p.name.startswith('.ckpt.pt.')]
    train(cfg, run, DATA, cache, resume=True, progress=False, evaluate=False)
    assert logged_steps(run) == [1, 2, 3, 4, 5, 6]
    assert sorted(p.name for p in run.iterdir()) == ['ckpt.pt', 'config.json', 'metrics.jsonl', 'samples']


@needs_data
@pytest.mark.parametrize('kind', ['unsafe', 'truncated'])
def test_refused_or_damaged_checkpoint_is_one_line(tmp_path, capsys, kind):
    run = tmp_path / 'run'; run.mkdir()
    if kind == 'unsafe': torch.save({'step': 2, 'x': argparse.Namespace(a=1)}, run / 'ckpt.pt')
    else:
        torch.save({'step': 2, 'w': torch.zeros(1000)}, tmp_path / 'whole.pt')
        data = (tmp_path / 'whole.pt').read_bytes(); (run / 'ckpt.pt').write_bytes(data[:len(data) // 2])
    rc = main(['train', 't4-paired-full', '--profile', 'tiny', '--out', str(run), '--resume', '--no-eval', '--device', 'cpu',
               '--data', str(DATA), '--cache', str(tmp_path / 'cache')])
    err = capsys.readouterr().err
    why = 'refused as unsafe or damaged' if kind == 'unsafe' else 'damaged or not a torch file (RuntimeError: PytorchStreamReader'
    assert rc == 2 and err.startswith(f'selfsr train: error: {run}/ckpt.pt is not a usable checkpoint: {why}'), err
    assert err.count('\n') == 1 and 'weights_only' not in err, err


@needs_data
def test_reproduce_names_the_bad_config_in_one_line(tmp_path, capsys):
    # a finished Table IV row whose config.json was edited by hand
    out = tmp_path / 'repro'
    row = out / 'runs' / 'tiny' / 't4-paired-vanilla'; row.mkdir(parents=True)
    bad = json.loads(config_for('t4-paired-vanilla', 'tiny').to_json()) | {'steps': 'abc'}
    (row / 'config.json').write_text(json.dumps(bad)); (row / 'results.json').write_text('{}')
    rc = main(['reproduce', 'table4', '--profile', 'tiny', '--out', str(out), '--data', str(DATA), '--cache', str(tmp_path / 'cache')])
    err = capsys.readouterr().err.splitlines()
    # checked with the plan, before any run trains or any notebook runs
    assert rc == 2 and err[-1] == f"selfsr reproduce: error: {row.resolve() / 'config.json'}: steps must be an integer, got 'abc'", err
    assert sorted(p.name for p in (out / 'runs' / 'tiny').iterdir()) == ['t4-paired-vanilla'], 'nothing trained'
