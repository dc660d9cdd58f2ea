"""A wheel that works anywhere (issue 27): `python -m build` makes an sdist and a wheel that both hold the shipped model
and its card; the wheel, installed into a fresh venv outside the repository, runs `selfsr experiments`, `selfsr restore`
on a shared photo and `selfsr train … --profile tiny` from a folder outside the repository.

The archives are built from a copy of the checkout's files (`git ls-files`: tracked, plus untracked ones git does not
ignore), so the build writes nothing into the repository and a stale `selfsr.egg-info/SOURCES.txt` left there by
`pip install -e` cannot add files the manifest forgets.

Dependencies are borrowed: downloading torch and the rest again into the fresh venv would take CI minutes, so a `.pth` file
in the fresh venv's site-packages appends this (CI's) venv's site-packages to `sys.path`. The wheel itself is installed
with `--no-deps --no-index`, so only its own contents are tested. A path named in a `.pth` is only appended; the `.pth` files
inside it are not processed, so this venv's editable finder for selfsr never loads, and `test_imports_the_wheel` checks
that `import selfsr` finds the installed wheel, not the repository."""
import json, os, shutil, subprocess, sys, sysconfig, tarfile, time, zipfile
from pathlib import Path
import pytest
from selfsr.experiments import EXPERIMENTS
from selfsr.restore import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get('SELFSR_DATA') or ROOT.parent / 'shared' / 'data')
PHOTO = DATA / 'wild' / 'photos' / 'tsk_FMD_FMD-220.jpg'  # README's example: four faces, the 20 px one restored
needs_data = pytest.mark.skipif(not PHOTO.is_file(), reason=f'no shared photos at {DATA} (set SELFSR_DATA)')
SHIPPED = [f'selfsr/models/{DEFAULT_MODEL}', 'selfsr/models/MODEL_CARD.md']
TRAIN = 't4-paired-full'  # stage 2 on CelebA pairs: no degrader run needed; 6 steps at tiny


def run(cmd:list, cwd:Path, env:dict, timeout:int=600) -> subprocess.CompletedProcess:
    "Run `cmd`, print it with its exit code and wall time (`pytest -s` shows them), return the result."
    t = time.monotonic()
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    shown = ' '.join(c.name if isinstance(c, Path) else str(c) for c in cmd)
    print(f'\n$ {shown}  -> exit {r.returncode}, {time.monotonic() - t:.1f} s', flush=True)
    return r


def _out(r) -> str: return f'\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}'


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    "Build the sdist and wheel from a copy of the checkout; install the wheel into a fresh venv outside the repository."
    tmp = tmp_path_factory.mktemp('wheel')
    src, dist, venv, work = tmp / 'src', tmp / 'dist', tmp / 'venv', tmp / 'work'
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split('\0')
    for f in filter(None, files):
        if (ROOT / f).is_file(): (src / f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(ROOT / f, src / f)
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', '__PYVENV_LAUNCHER__')}
    r = run([sys.executable, '-m', 'build', '--outdir', dist, src], tmp, env)
    assert r.returncode == 0, 'python -m build failed' + _out(r)
    (wheel,), (sdist,) = dist.glob('*.whl'), dist.glob('*.tar.gz')
    r = run([sys.executable, '-m', 'venv', venv], tmp, env)
    assert r.returncode == 0, _out(r)
    py = venv / 'bin' / 'python'
    site = Path(subprocess.run([py, '-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    ours = sysconfig.get_paths()
    (site / '_borrowed_deps.pth').write_text(''.join(dict.fromkeys(ours[k] + '\n' for k in ('purelib', 'platlib'))))
    r = run([py, '-m', 'pip', 'install', '--no-deps', '--no-index', wheel], tmp, env)
    assert r.returncode == 0, 'pip install of the wheel failed' + _out(r)
    work.mkdir()
    here = Path(sys.executable).parent
    env |= dict(PATH=os.pathsep.join([str(venv / 'bin')] + [p for p in env.get('PATH', '').split(os.pathsep) if Path(p) != here]),
                VIRTUAL_ENV=str(venv), PYTHONNOUSERSITE='1', SELFSR_DATA=str(DATA))
    yield dict(wheel=wheel, sdist=sdist, venv=venv.resolve(), site=site, work=work, env=env)
    shutil.rmtree(tmp, ignore_errors=True)


def test_archives_hold_model_and_card(installed):
    in_wheel = set(zipfile.ZipFile(installed['wheel']).namelist())
    with tarfile.open(installed['sdist']) as t: in_sdist = {n.split('/', 1)[1] for n in t.getnames() if '/' in n}
    assert [f for f in SHIPPED if f not in in_wheel] == [], f"{installed['wheel'].name} lacks them"
    assert [f for f in SHIPPED if f not in in_sdist] == [], f"{installed['sdist'].name} lacks them"
    assert 'selfsr=selfsr.cli:main' in zipfile.ZipFile(installed['wheel']).read(
        next(n for n in in_wheel if n.endswith('.dist-info/entry_points.txt'))).decode().replace(' ', '')


def test_imports_the_wheel(installed):
    r = run([installed['venv'] / 'bin' / 'python', '-c', 'import selfsr, selfsr.restore as r; print(selfsr.__file__); '
             'print(r.default_model_path())'], installed['work'], installed['env'])
    assert r.returncode == 0, _out(r)
    paths = [Path(l).resolve() for l in r.stdout.splitlines()]
    assert all(p.is_relative_to(installed['venv']) and not p.is_relative_to(ROOT) for p in paths), \
        f'selfsr is not imported from the fresh venv {installed["venv"]}: {paths}'
    assert paths[1].is_file()


def test_experiments(installed):
    r = run([installed['venv'] / 'bin' / 'selfsr', 'experiments'], installed['work'], installed['env'])
    assert r.returncode == 0, _out(r)
    listed = {l.split()[1] for l in r.stdout.splitlines()[1:] if len(l.split()) > 1}
    assert TRAIN in listed and listed <= set(EXPERIMENTS), r.stdout


@needs_data
def test_restore_a_shared_photo(installed):
    from selfsr.restore import DEFAULT_SHA256  # read now: the shipped model may change while this checkout is worked on
    work, out = installed['work'], installed['work'] / 'restored'
    r = run([installed['venv'] / 'bin' / 'selfsr', 'restore', PHOTO, '--out', 'restored', '--quiet'], work, installed['env'])
    assert r.returncode == 0, _out(r)
    assert (out / 'restored_imgs' / PHOTO.name).is_file(), sorted(p.name for p in out.rglob('*'))
    report = json.loads((out / 'reports' / f'{PHOTO.stem}.json').read_text())
    assert report['model']['sha256'] == DEFAULT_SHA256
    assert Path(report['model']['source']).resolve().is_relative_to(installed['venv']), report['model']
    assert any(f.get('restored') for f in report['faces']), report['faces']
    assert list((out / 'restored_faces').glob(f'{PHOTO.stem}_*.png'))


@needs_data
def test_train_tiny(installed):
    work, out = installed['work'], installed['work'] / 'run'
    r = run([installed['venv'] / 'bin' / 'selfsr', 'train', TRAIN, '--profile', 'tiny', '--out', 'run'], work, installed['env'])
    assert r.returncode == 0, _out(r)
    assert (out / 'ckpt.pt').is_file(), sorted(p.name for p in out.iterdir())
    results = json.loads((out / 'results.json').read_text())
    assert (results['experiment'], results['profile']) == (TRAIN, 'tiny'), results
