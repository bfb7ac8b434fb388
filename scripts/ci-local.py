#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ci-local.py: run a GitHub Actions workflow's jobs on this machine, in workflow order.

    scripts/ci-local.py [-n] [-w FILE] [--job NAME]... [--matrix KEY=V1,V2]...
                        [--env KEY=VALUE]... [--artifacts DIR]

Jobs run in the order their needs: give (file order among equals); a job with a matrix
runs once per combination (--matrix KEY=V1,V2 replaces that axis's values, e.g.
shard=1/2,2/2). Each `run:` step runs with bash -eo pipefail in the repository's top
directory, its ${{ matrix.* }}, ${{ env.* }}, ${{ strategy.job-index }} and
${{ github.workspace }} substituted, with the workflow's, job's and step's env (--env wins)
and GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, RUNNER_TEMP set. `uses:` steps: checkout and
cache are no-ops here (this tree, the local cache); upload-artifact and download-artifact
copy through --artifacts DIR (default: a temporary dir). A step after a failed one runs
only when its if: says always() or failure(). container: is ignored: the steps run on this
host (a Debian 12 machine, root, for the VM steps).

-n (dry run): print each job and step, the command as it would run, and run nothing.
Exit: 0 every job passed, 1 a step failed, 2 bad usage or a workflow it cannot read.
"""
import argparse, glob, itertools, os, re, shutil, subprocess, sys, tempfile

try:
    import yaml
except ImportError:
    sys.exit("lockd-repro: scripts/ci-local.py needs python3-yaml (apt-get install python3-yaml)")

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def die(msg):
    print("lockd-repro: " + msg, file=sys.stderr)
    sys.exit(2)


def job_order(jobs):
    """the jobs, each after the ones it needs; file order among equals"""
    done, order = set(), []
    while len(order) < len(jobs):
        ready = [j for j in jobs if j not in done and
                 all(n in done for n in needs(jobs[j]))]
        if not ready:
            die("workflow: a cycle or an unknown job in needs:")
        order.append(ready[0])
        done.add(ready[0])
    return order


def needs(job):
    n = job.get("needs", [])
    return [n] if isinstance(n, str) else list(n)


def combos(job, override):
    """the matrix combinations of a job, with --matrix's axes replaced"""
    m = dict((job.get("strategy") or {}).get("matrix") or {})
    inc = m.pop("include", []) or []
    m.pop("exclude", None)
    for k, v in override.items():
        if k in m:
            m[k] = v
    keys = list(m)
    out = [dict(zip(keys, vals)) for vals in itertools.product(*(m[k] for k in keys))] if keys else [{}]
    return out + list(inc) if keys else (list(inc) or [{}])


def subst(text, ctx):
    """${{ … }} expressions of the few kinds the workflow uses; anything else is an error"""
    def one(mo):
        e = mo.group(1).strip()
        for pre, table in (("matrix.", ctx["matrix"]), ("env.", ctx["env"])):
            if e.startswith(pre) and e[len(pre):] in table:
                return str(table[e[len(pre):]])
        if e == "strategy.job-index":
            return str(ctx["index"])
        if e == "github.workspace":
            return TOP
        raise ValueError("expression not known to ci-local: ${{ %s }}" % e)
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def main():
    class Parser(argparse.ArgumentParser):
        def error(self, message):  # bad usage: one line, exit 2
            die("ci-local.py: %s (see --help)" % message)
    ap = Parser(add_help=False)
    ap.add_argument("-n", "--dry-run", action="store_true")
    ap.add_argument("-w", "--workflow", default=os.path.join(TOP, ".github/workflows/ci.yml"))
    ap.add_argument("--job", action="append", default=[])
    ap.add_argument("--matrix", action="append", default=[])
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--artifacts")
    ap.add_argument("-h", "--help", action="store_true")
    a = ap.parse_args()
    if a.help:
        print(__doc__.strip())
        return 0
    try:
        with open(a.workflow) as f:
            wf = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        die("cannot read %s: %s" % (a.workflow, str(e).splitlines()[0]))
    if not isinstance(wf, dict) or not isinstance(wf.get("jobs"), dict):
        die("%s: no jobs" % a.workflow)
    override, envo = {}, {}
    for kv in a.matrix:
        k, _, v = kv.partition("=")
        override[k] = v.split(",")
    for kv in a.env:
        k, _, v = kv.partition("=")
        envo[k] = v
    jobs = wf["jobs"]
    for j in a.job:
        if j not in jobs:
            die("no job '%s' in %s" % (j, a.workflow))
    art = a.artifacts or tempfile.mkdtemp(prefix="lockd-repro-ci.")
    temp = tempfile.mkdtemp(prefix="lockd-repro-runner.")
    try:
        return run_jobs(a, wf, jobs, override, envo, art, temp)
    finally:  # also on Ctrl-C: no temporary dir left
        shutil.rmtree(temp, ignore_errors=True)
        if not a.artifacts:
            shutil.rmtree(art, ignore_errors=True)


def run_jobs(a, wf, jobs, override, envo, art, temp):
    failed_jobs = set()
    for name in job_order(jobs):
        if a.job and name not in a.job:
            continue
        job = jobs[name]
        cond = str(job.get("if", ""))
        if any(n in failed_jobs for n in needs(job)) and "always()" not in cond:
            print("== job %s: skipped (a job it needs failed)" % name)
            failed_jobs.add(name)
            continue
        for idx, mx in enumerate(combos(job, override)):
            label = name + ("" if not mx else " (%s)" % ", ".join("%s=%s" % kv for kv in mx.items()))
            print("== job %s" % label, flush=True)
            env = dict(os.environ)
            ctx = {"matrix": mx, "env": {}, "index": idx}
            for layer in (wf.get("env") or {}, job.get("env") or {}):
                for k, v in layer.items():
                    ctx["env"][k] = subst(v, ctx)
            ctx["env"].update(envo)
            summary = os.path.join(temp, "step-summary.md")
            failed = False
            for i, st in enumerate(job.get("steps") or [], 1):
                sname = st.get("name") or st.get("uses") or (st.get("run") or "").splitlines()[0]
                try:
                    sname = subst(sname, ctx)
                    scond = str(st.get("if", ""))
                    if failed and "always()" not in scond and "failure()" not in scond:
                        print("-- step %d %s: skipped (an earlier step failed)" % (i, sname))
                        continue
                    if "uses" in st:
                        rc = uses(st, ctx, art, a.dry_run)
                    else:
                        senv = dict(ctx["env"])
                        for k, v in (st.get("env") or {}).items():
                            senv[k] = subst(v, ctx)
                        senv.update(envo)
                        cmd = subst(st["run"], ctx)
                        print("-- step %d %s" % (i, sname), flush=True)
                        if a.dry_run:
                            for k in sorted(senv):
                                print("   env %s=%s" % (k, senv[k]))
                            print("   " + cmd.rstrip().replace("\n", "\n   "))
                            rc = 0
                        else:
                            env.update(senv)
                            env.update(GITHUB_WORKSPACE=TOP, GITHUB_STEP_SUMMARY=summary,
                                       RUNNER_TEMP=temp, CI="true")
                            rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo",
                                                  "pipefail", "-c", cmd], cwd=TOP, env=env)
                except ValueError as e:
                    die("%s, job %s step %d: %s" % (a.workflow, name, i, e))
                if rc != 0:
                    print("-- step %d %s: FAILED (exit %d)" % (i, sname, rc), flush=True)
                    failed = True
            print("== job %s: %s" % (label, "failed" if failed else "ok"), flush=True)
            if failed:
                failed_jobs.add(name)
    return 1 if failed_jobs else 0


def uses(st, ctx, art, dry):
    """the actions the workflow uses, as far as they mean anything on this machine"""
    act = st["uses"].split("@")[0]
    if act in ("actions/checkout", "actions/cache"):
        print("-- %s: nothing to do here (this tree; the local cache)" % act)
        return 0
    w = {k: subst(v, ctx) for k, v in (st.get("with") or {}).items()}
    if act == "actions/upload-artifact":
        dst = os.path.join(art, w["name"])
        print("-- upload-artifact %s -> %s" % (w["path"], dst))
        if dry:
            return 0
        src = os.path.join(TOP, w["path"])
        if not os.path.exists(src):
            return 0 if w.get("if-no-files-found") == "ignore" else 1
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst, symlinks=True)
        return 0
    if act == "actions/download-artifact":
        names = sorted(os.path.basename(d) for d in glob.glob(os.path.join(art, w.get("pattern", "*"))))
        dst = os.path.join(TOP, w.get("path", "."))
        print("-- download-artifact %s -> %s" % (w.get("pattern", "*"), dst))
        if dry:
            return 0
        for n in names:
            shutil.rmtree(os.path.join(dst, n), ignore_errors=True)
            shutil.copytree(os.path.join(art, n), os.path.join(dst, n), symlinks=True)
        return 0
    print("-- %s: not known to ci-local, not run" % act)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C: the step's own process group got it too
        print("lockd-repro: ci-local.py: interrupted", file=sys.stderr)
        sys.exit(130)
