"""Generate the API clients from our OpenAPI schema and report what each generator made of it.

Why: client teams do not read our serializers, they run a generator on /api/schema/. A schema
that is valid but generates badly (a model renamed because its name is a reserved word, an
unnamed inline model, an error type per operation, a field optional that is always sent) costs
each of them the same day of work. `make clients` runs the generators they would run, from
versions pinned here, and says what went wrong before they find out:

- the schema, dumped offline (no server, no database) to clients/build/schema.json;
- Python: openapi-python-client, then the generated package must import;
- TypeScript: openapi-typescript (npm, pinned in clients/typescript/package-lock.json), then
  `tsc --strict` on clients/typescript/flow.ts, a small typed flow through the API;
- Kotlin and Swift: openapi-generator, whose jar ships inside its PyPI wheel (run on Java). Nothing
  here compiles or runs that code (no Maven Central, no Swift toolchain), so the properties a client
  team needs at once are checked in the generated source instead (see kotlin_checks, swift_checks):
  Kotlin leaves unset fields out of a request instead of sending null, Kotlin and Swift can send
  null to clear a nullable field (Sendable, NullEncodable), Swift sends `format: date` as
  YYYY-MM-DD, and a sync change of an unknown `type` fails neither a Kotlin nor a Swift /sync/ page.

Everything lands in clients/build/ (full logs in clients/build/logs/). The report at the end
gives each generator's outcome and its warnings; the exit status is 1 if any step failed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "clients"
BUILD = CLIENTS / "build"
LOGS = BUILD / "logs"
SCHEMA = BUILD / "schema.json"
TEMPLATES = CLIENTS / "templates"  # clients/templates/<step>/: openapi-generator template overrides (-t)
TS = CLIENTS / "typescript"
BIN = Path(sys.executable).parent  # the venv's bin: openapi-python-client, openapi-generator-cli

# What a discriminated oneOf must become to decode at all: Kotlin's sealed interface, Swift's enum.
ONE_OF_SHAPE = {".kt": "sealed interface", ".swift": "enum"}

# Warnings that tell a client team something is off in the schema; marked "!" in the report.
NOTABLE = re.compile(r"renamed|reserved|inline|unnamed|UNKNOWN_BASE_TYPE|allOf|oneOf|anyOf|discriminator", re.I)


@dataclass
class Step:
    name: str
    ok: bool = True
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# A check of generated source: the schema and {file name: text} in, one line per failure out.
Check = Callable[[dict, dict[str, str]], list[str]]


def run(step: Step, label: str, cmd: list[str | Path], **kwargs) -> str:
    """Run one command, keep its output in clients/build/logs/<label>.log, fail the step on a non-zero exit."""
    env = {**os.environ, **kwargs.pop("env", {})}
    proc = subprocess.run(  # noqa: S603 (our own tools, fixed arguments)
        [str(c) for c in cmd], capture_output=True, text=True, env=env, check=False, **kwargs
    )
    output = proc.stdout + proc.stderr
    (LOGS / f"{label}.log").write_text(output)
    if proc.returncode != 0:
        step.ok = False
        tail = "\n".join(output.strip().splitlines()[-15:])
        step.notes.append(f"{label} exited {proc.returncode} (clients/build/logs/{label}.log):\n{tail}")
    return output


def dump_schema(step: Step, source: Path | None) -> dict:
    if source:  # a schema from elsewhere (a running server's /api/schema/?format=json, another branch)
        shutil.copyfile(source, SCHEMA)
        output = ""
    else:
        output = manage_py_spectacular()
    (LOGS / "schema.log").write_text(output)
    step.warnings = [line for line in output.splitlines() if "warning" in line.lower() or "error" in line.lower()]
    if not SCHEMA.exists():
        step.ok = False
        step.notes.append("manage.py spectacular wrote no schema: see clients/build/logs/schema.log")
        return {}
    schema = json.loads(SCHEMA.read_text())
    operations = sum(1 for item in schema.get("paths", {}).values() for m in item if m != "parameters")
    components = len(schema.get("components", {}).get("schemas", {}))
    step.notes.append(f"{components} component schemas, {len(schema.get('paths', {}))} paths, {operations} operations")
    return schema


def manage_py_spectacular() -> str:
    """Dump the schema as the server serves it, offline: no database, no Redis, throwaway dev keys."""
    with tempfile.TemporaryDirectory() as var:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env |= {"DEBUG": "1", "GOOD_ENOUGH_VAR_DIR": var}
        proc = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "spectacular", "--format", "openapi-json", "--file", str(SCHEMA)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        SCHEMA.unlink(missing_ok=True)
    return proc.stdout + proc.stderr


def python_client(step: Step) -> None:
    out = BUILD / "python"
    cmd = [BIN / "openapi-python-client", "generate", "--path", SCHEMA, "--output-path", out, "--overwrite"]
    # Our overrides (clients/templates/python/): a Markdown answer is not parsed as JSON, an error code
    # added later is kept instead of raising ValueError.
    cmd += ["--custom-template-path", TEMPLATES / "python"]
    output = run(step, "python", [*cmd, "--config", CLIENTS / "python-config.yaml"])
    boilerplate = ("Generating ", "Warning(s) encountered", "If you believe this was a mistake")
    step.warnings = [line for line in output.splitlines() if line.strip() and not line.startswith(boilerplate)]
    if step.ok:
        models = len(list((out / "good_enough_client" / "models").glob("*.py"))) - 1  # less __init__.py
        smoke = [sys.executable, "-c", "import good_enough_client.api, good_enough_client.models"]
        run(step, "python-import", smoke, env={"PYTHONPATH": str(out)})
        step.notes.append(f"{models} model modules" + (", imports" if step.ok else ""))


def typescript_client(step: Step) -> None:
    bin_ = TS / "node_modules" / ".bin"
    installed = TS / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (TS / "package-lock.json").stat().st_mtime:
        run(step, "npm-ci", ["npm", "ci", "--no-audit", "--no-fund"], cwd=TS)
        if not step.ok:
            return
    out = BUILD / "typescript" / "schema.d.ts"
    # Request bodies: a field with a default stays optional (the flag's default would require it).
    cmd = [bin_ / "openapi-typescript", SCHEMA, "--default-non-nullable", "false", "-o", out]
    output = run(step, "typescript", cmd)
    step.warnings = [line for line in output.splitlines() if re.search(r"warn|⚠", line, re.I)]
    if step.ok:
        tsc = run(step, "tsc", [bin_ / "tsc", "-p", TS / "tsconfig.json", "--noEmit", "--strict"])
        step.notes.append("tsc --strict flow.ts: " + ("ok" if step.ok else f"{tsc.count('error TS')} errors"))


def openapi_generator(step: Step, schema: dict, generator: str, suffix: str, config: str, check: Check) -> None:
    if not shutil.which("java"):
        step.ok = False
        step.notes.append("no java on PATH: openapi-generator needs Java 11+ (apt-get install default-jre-headless)")
        return
    out = BUILD / step.name
    shutil.rmtree(out, ignore_errors=True)
    cmd = [BIN / "openapi-generator-cli", "generate", "-g", generator, "-i", SCHEMA, "-o", out, "-c", CLIENTS / config]
    if (TEMPLATES / step.name).is_dir():  # our overrides of some of the generator's templates
        cmd += ["-t", TEMPLATES / step.name]
    output = run(step, step.name, cmd)
    logged = [re.sub(r"^\[\w+\] ", "", line) for line in output.splitlines()]  # "[main] WARN  o.o.c..."
    step.warnings = [line for line in logged if line.startswith(("WARN", "ERROR"))]
    files = [p for p in out.rglob(f"*{suffix}") if "/src/test/" not in p.as_posix()]
    sources = {p.name: p.read_text() for p in files}
    step.notes.append(f"{sum('/models/' in p.as_posix().lower() for p in files)} model files")
    unknown = [name for name, text in sources.items() if "UNKNOWN_BASE_TYPE" in text]
    if unknown:
        step.warnings.append(f"UNKNOWN_BASE_TYPE in generated code: {', '.join(sorted(unknown))}")
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if "oneOf" not in component:
            continue
        kinds = "sealed interface|interface|sealed class|abstract class|data class|class|enum|struct"
        declared = re.search(rf"^(?:public )?({kinds}) {name}\b", sources.get(name + suffix, ""), re.M)
        shape = declared.group(1) if declared else "no model of that name"
        step.notes.append(f"oneOf {name} as {shape}")
        if shape != ONE_OF_SHAPE[suffix]:
            step.warnings.append(f"oneOf {name} generated as {shape}, not a {ONE_OF_SHAPE[suffix]}: it will not decode")
    if step.ok:
        failures = check(schema, sources)
        step.notes.append(f"source checks: {len(failures)} failed" if failures else "source checks ok")
        for failure in failures:
            step.ok = False
            step.notes.append(f"check failed: {failure}")


def kotlin_checks(schema: dict, sources: dict[str, str]) -> list[str]:
    """What the Kotlin client must do on the wire, read from its source: nothing here can compile it.

    kotlinx.serialization writes a null property as `"field": null` unless the Json has
    `explicitNulls = false` (clients/templates/kotlin overrides Serializer.kt for that): a PATCH would
    clear or refuse every field it did not mean to change. So: the Json Retrofit uses sets it, and
    every property of a PATCH body is `T? = null`, so that a field left unset is null, hence left out.
    A nullable field of a request (x-null-encodable) is a Sendable instead (clients/templates/kotlin), whose
    Null is sent as null (clears it) and whose Unset is left out; SyncChange decodes a `type` it does not know.
    """
    failures = []
    serializer = sources.get("Serializer.kt", "")
    block = re.search(r"val kotlinxSerializationJson: Json by lazy \{.*?\bJson \{(.*?)\n\s*\}", serializer, re.S)
    settings = re.sub(r"//[^\n]*", "", block.group(1)) if block else ""
    if not re.search(r"^\s*explicitNulls\s*=\s*false\s*$", settings, re.M):
        failures.append(
            "Serializer.kt's kotlinxSerializationJson lacks `explicitNulls = false`: unset fields go out as null"
            " (is clients/templates/kotlin/jvm-common/infrastructure/Serializer.kt.mustache still used?)"
        )
    if "kotlinxSerializationJson.asConverterFactory(" not in sources.get("ApiClient.kt", ""):
        failures.append("ApiClient.kt's Retrofit does not convert with Serializer.kotlinxSerializationJson")
    if not re.search(r"^(?:public )?sealed class Sendable<out T>", serializer, re.M):
        failures.append("Serializer.kt has no `sealed class Sendable`: a request cannot send null to clear a field")
    patches = request_bodies(schema, "patch")
    for name in sorted(patches | request_bodies(schema, "put") | request_bodies(schema, "post")):
        component = schema["components"]["schemas"][name]
        if not component.get("properties"):
            # An empty body (the web sign-in's refresh and log-out take `{}`): openapi-generator makes
            # no class for it and sends an empty object, so there is no field to check.
            continue
        body = re.search(rf"data class {name} \((.*?)\n\) ", sources.get(f"{name}.kt", ""), re.S)
        if not body:
            failures.append(f"no data class {name} in {name}.kt")
            continue
        declared_as = {
            camel(prop): (declared, preceding)
            for preceding, prop, declared in re.findall(
                r"((?:\n\s*@[^\n]*)*)\n\s*val (\w+): ([^\n]*?),?\n", "\n" + body.group(1) + ",\n"
            )
        }
        for prop, spec in component.get("properties", {}).items():
            declared, annotations = declared_as.get(camel(prop), ("no such property", ""))
            if spec.get("x-null-encodable"):
                # Null clears the field: Unset (left out), Null (sent as null) and a value must differ.
                if not re.fullmatch(r"\S*Sendable<.+> = \S*Sendable\.Unset", declared) or (
                    "EncodeDefault.Mode.NEVER" not in annotations
                ):
                    failures.append(f"{name}.{prop} is `{declared}`, not a Sendable left out when Unset")
            elif name in patches and not declared.endswith("? = null"):
                failures.append(f"PATCH body {name}.{prop} is `{declared}`, not `? = null`: sent when unset")
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if "oneOf" in component and "discriminator" in component:
            source = sources.get(f"{name}.kt", "")
            if not re.search(r"value class UnknownDefaultOpenApi\(val value: JsonObject\) : " + name, source) or not (
                re.search(rf"else -> {name}\.UnknownDefaultOpenApi\(element\)", source)
            ):
                key = component["discriminator"]["propertyName"]
                failures.append(f"{name}: an unknown {key} throws (no UnknownDefaultOpenApi)")
    return failures


def camel(name: str) -> str:
    """The Kotlin and Swift property name of a JSON field: ``kind_words`` -> ``kindWords``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def swift_checks(schema: dict, sources: dict[str, str]) -> list[str]:
    """What the Swift client must do on the wire, read from its source: there is no Swift toolchain here.

    A `format: date` field must be OpenAPIDateWithoutTime (useCustomDateWithoutTime), which encodes
    with the yyyy-MM-dd formatter: as `Date` it goes out as a date-time, and the server answers 400.
    A discriminated oneOf (SyncChange) must decode an unknown discriminator value as
    .unknownDefaultOpenApi (oneOfUnknownDefaultCase) instead of throwing, which fails a whole sync page.
    A nullable field of a request (x-null-encodable) is a NullEncodable left out unless set
    (clients/templates/swift), so .encodeNull clears it.
    """
    failures = []
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        for prop, spec in component.get("properties", {}).items():
            if "date" not in (spec.get("format"), spec.get("items", {}).get("format")):
                continue
            declared = swift_property_types(sources.get(f"{name}.swift", "")).get(prop, "no such property")
            if "OpenAPIDateWithoutTime" not in declared:
                failures.append(f"{name}.{prop} (format: date) is `{declared}`, not OpenAPIDateWithoutTime")
    formatter = re.search(
        r"static let withoutTime: DateFormatter = \{(.*?)\}\(\)",
        sources.get("OpenISO8601DateFormatter.swift", ""),
        re.S,
    )
    if not formatter or 'dateFormat = "yyyy-MM-dd"' not in formatter.group(1):
        failures.append('OpenISO8601DateFormatter.withoutTime is missing or not "yyyy-MM-dd"')
    if "OpenISO8601DateFormatter.withoutTime.string(" not in sources.get("OpenAPIDateWithoutTime.swift", ""):
        failures.append("OpenAPIDateWithoutTime does not encode with OpenISO8601DateFormatter.withoutTime")
    bodies = request_bodies(schema, "patch") | request_bodies(schema, "put") | request_bodies(schema, "post")
    for name in sorted(bodies):
        source = sources.get(f"{name}.swift", "")
        types = swift_property_types(source)
        for prop, spec in schema["components"]["schemas"][name].get("properties", {}).items():
            if not spec.get("x-null-encodable"):
                continue
            swift_name = camel(prop)
            # Null clears the field: left out unless set (.encodeNothing), .encodeNull sends null.
            if not types.get(prop, "").startswith("NullEncodable<") or not re.search(
                rf"\b{swift_name}: NullEncodable<[^=]*> = \.encodeNothing\b", source
            ):
                failures.append(f"{name}.{prop} is `{types.get(prop)}`, not a NullEncodable left out unless set")
            elif not re.search(rf"switch {swift_name} \{{\s*case \.encodeNothing: break", source):
                failures.append(f"{name}.{prop}: .encodeNothing is not left out of the JSON")
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if "oneOf" in component and "discriminator" in component:
            source = sources.get(f"{name}.swift", "")
            if not re.search(r"^\s*case unknownDefaultOpenApi$", source, re.M) or not re.search(
                r"default:\s*self = \.unknownDefaultOpenApi", source
            ):
                key = component["discriminator"]["propertyName"]
                failures.append(f"{name}: an unknown {key} throws (no .unknownDefaultOpenApi)")
    return failures


def swift_property_types(source: str) -> dict[str, str]:
    """JSON name -> declared Swift type of each stored property of the model in `source`."""
    types = dict(re.findall(r"^\s*public var (\w+): (.+)$", source, re.M))
    keys = re.search(r"enum CodingKeys: String, CodingKey, CaseIterable \{(.*?)\}", source, re.S)
    pairs = re.findall(r'case (\w+)(?: = "([^"]+)")?', keys.group(1)) if keys else []
    return {json_name or swift_name: types.get(swift_name, "no such property") for swift_name, json_name in pairs}


def request_bodies(schema: dict, method: str) -> set[str]:
    """The component names of the JSON request bodies of every `method` operation."""
    names = set()
    for item in schema.get("paths", {}).values():
        content = item.get(method, {}).get("requestBody", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref:
            names.add(ref.rsplit("/", 1)[-1])
    return names


def report(steps: list[Step]) -> None:
    print("\n== make clients: report (! marks a renamed, reserved, inline or unknown type, or an allOf/oneOf) ==")
    for step in steps:
        short = [n for n in step.notes if "\n" not in n]
        print(f"{step.name:<11}{'ok' if step.ok else 'FAILED':<8}{'; '.join(short)}")
        for note in step.notes:
            if note not in short:
                print("    " + note.replace("\n", "\n    "))
        counts = Counter(step.warnings)
        if counts:
            print(f"    {sum(counts.values())} warnings, {len(counts)} distinct:")
        for line, n in counts.most_common():
            print(f"    {'!' if NOTABLE.search(line) else ' '} {n:>4} x {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", type=Path, help="an OpenAPI JSON file to use instead of dumping this tree's")
    source = parser.parse_args().schema
    source = source.resolve() if source else None
    shutil.rmtree(BUILD, ignore_errors=True)
    LOGS.mkdir(parents=True)
    steps = [Step("schema")]
    schema = dump_schema(steps[0], source)
    if schema:
        for step, make in [
            (Step("python"), python_client),
            (Step("typescript"), typescript_client),
            (
                Step("kotlin"),
                lambda s: openapi_generator(s, schema, "kotlin", ".kt", "kotlin-config.yaml", kotlin_checks),
            ),
            (
                Step("swift"),
                lambda s: openapi_generator(s, schema, "swift5", ".swift", "swift-config.yaml", swift_checks),
            ),
        ]:
            print(f"-- {step.name}", flush=True)
            make(step)
            steps.append(step)
    report(steps)
    return 0 if all(step.ok for step in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
