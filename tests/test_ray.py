"""`selfsr reproduce … --executor ray` against the serial executor, on a local Ray cluster of 2 CPUs started here.

Table III at the `tiny` profile (the smallest table whose runs depend on others: three degraders, and the SR rows that
train on their pseudo pairs) is reproduced twice: by the serial executor in a fresh process (which must import no Ray),
and by the Ray executor, one task per planned run. The first try of one degrader's task is SIGKILLed right after it
writes its first checkpoint, as a preempted node's worker would be; Ray tries it again, and that try must resume from
the checkpoint (step 2), not from step 0. The table CSVs of the two reproductions must be equal, wall-clock columns left
out; the runs must have spread over both CPUs, each SR row starting after its degrader ended. Last, a run that fails on
every try is tried 1 + retries times, and the run that reads it never starts.
Prints the numbers: workers and runs per worker, tables equal, the step the killed run resumed from, seconds taken.
"""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest

ray = pytest.importorskip('ray', reason="Ray is not installed (pip install -e '.[cluster]'): the Ray executor is not tested")
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = os.environ.get('SELFSR_DATA') or str(ROOT.parent / 'shared' / 'data')
WHAT, PROFILE = 'table3', 'tiny'
KILLED = 't3-ff-idt-deg'  # a degrader: t3-ff-idt reads it, so its task must be done (killed, retried, resumed) before that one starts


def tables(folder:Path) -> dict:
    "The table CSVs a reproduction wrote, without the columns that measure wall-clock time (train seconds)."
    out = {}
    for f in sorted(folder.glob('*.csv')):
        df = pd.read_csv(f)
        out[f.name] = df.drop(columns=[c for c in df.columns if c.startswith('train s') or 'seconds' in c])
    return out


def test_ray_executor_matches_serial_and_resumes(tmp_path, monkeypatch):
    monkeypatch.setenv('OMP_NUM_THREADS', '1')  # one thread a run in both executors (Ray gives a 1-CPU task one anyway)
    monkeypatch.setenv('SELFSR_DATA', DATA)
    t0 = time.time()
    code = ("import sys, selfsr.reproduce as m\nm.reproduce(sys.argv[1], sys.argv[2], None, sys.argv[3])\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] == 'ray'))")
    done = subprocess.run([sys.executable, '-c', code, WHAT, PROFILE, str(tmp_path / 'serial')], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.splitlines()[-1] == '[]', f'the serial executor imported {done.stdout.splitlines()[-1]}'
    serial_s = time.time() - t0

    attempts = tmp_path / 'attempts.jsonl'
    def killed_once(r, profile, out, *args, **kw):
        "`train_planned`, except that the first try of KILLED dies (SIGKILL) right after writing its first checkpoint; each try is logged."
        import selfsr.train, selfsr.reproduce as rp
        folder = Path(out) / r.folder
        with open(attempts, 'a') as f: f.write(json.dumps({'run': r.name, 'pid': os.getpid(), 'ckpt_step': rp._ckpt_step(folder)}) + '\n')
        if r.name == KILLED and not (folder / 'ckpt.pt').exists():
            write = selfsr.train._checkpoint
            def write_then_die(path, cfg, step, *a):
                write(path, cfg, step, *a)
                os.kill(os.getpid(), signal.SIGKILL)
            selfsr.train._checkpoint = write_then_die  # this worker process dies with it
        return rp.train_planned(r, profile, out, *args, **kw)

    from selfsr.reproduce import reproduce, plan, ray_executor
    t1 = time.time()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        init_s = time.time() - t1
        reproduce(WHAT, PROFILE, DATA, tmp_path / 'ray', executor='ray', cpus_per_run=1, train=killed_once)
        ray_s = time.time() - t1
        # a run that fails on every try: tried 1 + retries times, the run that reads it never starts, and the error names both
        def cannot_train(r, *args, **kw):
            with open(attempts, 'a') as f: f.write(json.dumps({'run': r.name, 'pid': os.getpid(), 'failing': True}) + '\n')
            raise ValueError(f'{r.name} cannot train')
        pair = [r for r in plan(WHAT, PROFILE) if r.name in ('t3-cyc-deg', 't3-cyc')]
        with pytest.raises(RuntimeError, match='2 of 2 runs failed after 1 retries') as err:
            ray_executor(pair, PROFILE, tmp_path / 'failing', DATA, train=cannot_train, retries=1)
        assert all(f'{n}: ValueError: t3-cyc-deg cannot train' in str(err.value) for n in ('t3-cyc-deg', 't3-cyc')), err.value
    finally: ray.shutdown()
    failing = [x['run'] for x in map(json.loads, attempts.read_text().splitlines()) if x.get('failing')]
    assert failing == ['t3-cyc-deg', 't3-cyc-deg'], failing

    # the tables: equal to the serial executor's
    a, b = tables(tmp_path / 'serial'), tables(tmp_path / 'ray')
    assert a and list(a) == list(b), (list(a), list(b))
    for name in a: pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)

    # every planned run, once, by the Ray executor, spread over both CPUs, each after the run it reads
    p = plan(WHAT, PROFILE)
    reps = {x['folder']: x for x in map(json.loads, (tmp_path / 'ray' / 'executed_runs.jsonl').read_text().splitlines())}
    assert sorted(reps) == sorted(str(r.folder) for r in p) and {x['executor'] for x in reps.values()} == {'ray'}
    for r in p:
        if r.needs:
            need = reps[str(r.needs)]
            assert reps[str(r.folder)]['started'] >= need['started'] + need['seconds'] - 0.1, f'{r.folder} started before {r.needs} ended'
    # an end less than 0.1 s after the next start is no overlap: `seconds` is rounded to 0.1 s and Ray starts the next task at once
    edges = sorted([(x['started'], 1) for x in reps.values()] + [(x['started'] + x['seconds'] - 0.1, -1) for x in reps.values()], key=lambda e: (e[0], e[1]))
    running = [sum(d for _, d in edges[:i + 1]) for i in range(len(edges))]
    per_worker = {}
    for x in reps.values(): per_worker[f"node {x['node'][:8]} pid {x['pid']}"] = per_worker.get(f"node {x['node'][:8]} pid {x['pid']}", 0) + 1
    assert len(per_worker) >= 2 and max(running) == 2, (per_worker, max(running))

    # the killed run: tried twice, the second try in another worker, from the first one's checkpoint
    tries = [x for x in map(json.loads, attempts.read_text().splitlines()) if x['run'] == KILLED and not x.get('failing')]
    assert [x['ckpt_step'] for x in tries] == [0, 2] and tries[0]['pid'] != tries[1]['pid'], tries
    killed = reps[str(next(r.folder for r in p if r.name == KILLED))]
    assert (killed['from_step'], killed['pid']) == (2, tries[1]['pid']), killed
    log = [json.loads(l) for l in (tmp_path / 'ray' / killed['folder'] / 'metrics.jsonl').read_text().splitlines()]
    assert [x['step'] for x in log] == [1, 2, 3, 4, 5, 6]  # each step once: the steps past the checkpoint were not trained twice

    print(f'\nRay executor, {WHAT} at {PROFILE}: {len(reps)} runs on a local cluster of 2 CPUs ({ray.__version__}); '
          f'{len(per_worker)} workers, at most {max(running)} runs at once; runs per worker: '
          + ', '.join(f'{w}: {n}' for w, n in per_worker.items()))
    print(f'table CSVs equal to the serial executor\'s ({", ".join(f"{k}: {len(v)} rows x {v.shape[1]} columns" for k, v in a.items())}, train seconds left out)')
    print(f'{KILLED}: first try (pid {tries[0]["pid"]}) SIGKILLed after its checkpoint at step 2; the retry (pid {tries[1]["pid"]}) resumed from step '
          f'{killed["from_step"]}, not 0')
    print(f'a run failing on every try: tried {len(failing)} times (retries=1), the run reading it never started, both named in the error')
    print(f'seconds: serial {serial_s:.0f} (a fresh process, no Ray imported), Ray {ray_s:.0f} (of which starting the cluster {init_s:.0f})')
