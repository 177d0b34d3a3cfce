"""Build the patient's app (``make patient-web``): the schema's TypeScript types, then tsc.

The app's source is TypeScript under ``patient_web/frontend/src/``; what the browser loads is
the ES modules tsc emits into ``patient_web/static/patient_web/``, committed, so ``make run`` and
``make test`` need only Python. This script is how they are rebuilt, and CI runs it and fails
when the tree differs afterwards (``--check``): a schema change that breaks the app fails at
tsc, and one that does not still shows up as a change to the committed ``schema.d.ts``.

Steps: the OpenAPI schema dumped offline (as ``make clients`` does it), openapi-typescript into
``src/schema.d.ts``, then ``tsc -p`` for the page's modules and for the service worker (two
projects: the DOM and WebWorker libraries cannot share one). The tools are pinned in
``patient_web/frontend/package-lock.json`` and installed with ``npm ci`` when missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "patient_web" / "frontend"
BIN = FRONTEND / "node_modules" / ".bin"
TYPES = FRONTEND / "src" / "schema.d.ts"
BUILT = [TYPES.relative_to(ROOT), Path("patient_web/static/patient_web")]


def sh(cmd: list[str | Path], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)  # noqa: S603 (our own tools)


def dump_schema(target: Path) -> None:
    """The schema as the server serves it, offline: no database, no Redis, throwaway dev keys."""
    with tempfile.TemporaryDirectory() as var:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env |= {"DEBUG": "1", "GOOD_ENOUGH_VAR_DIR": var}
        cmd = [sys.executable, "manage.py", "spectacular", "--format", "openapi-json", "--file", target]
        sh(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the build changed a committed file")
    args = parser.parse_args()
    if not (BIN / "tsc").exists():
        sh(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND)
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "schema.json"
        dump_schema(schema)
        sh([BIN / "openapi-typescript", schema, "--default-non-nullable", "false", "-o", TYPES], cwd=FRONTEND)
    sh([BIN / "tsc", "-p", "tsconfig.json"], cwd=FRONTEND)
    sh([BIN / "tsc", "-p", "tsconfig.sw.json"], cwd=FRONTEND)
    if args.check:
        git = ["git", "status", "--porcelain", "--", *map(str, BUILT)]
        changed = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=True).stdout  # noqa: S603
        if changed:
            print("The committed build of the patient's app is not what its source builds to:\n" + changed)
            print("Run `make patient-web` and commit the result.")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
