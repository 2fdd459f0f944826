# One command runs the daemon (make run-local), one runs the tests (make test).
MVN ?= mvn -B -q
JAVA ?= java
SAMPLE_DIR := bin/plugins/sample/1.0.0
REGISTRY_DIR := build/registry
REGISTRY_PORT ?= 8081
# A JDK 25+ java for plugins (pluginHost.java): make build also trains the sample's AOT cache for it.
# Default: a JDK 25 under /usr/lib/jvm if there is one; PLUGIN_JAVA= (empty) skips it.
PLUGIN_JAVA ?= $(firstword $(wildcard /usr/lib/jvm/*-25-*/bin/java))

.PHONY: build install-sdk test faults bench run-local nats-local nats-stop compose-up compose-down registry serve-registry clean

## build: compile everything and lay out bin/ (launcher, runtime jar and its CDS archive, sample plugin + its CDS
## archive, and its AOT cache for PLUGIN_JAVA when that is a JDK 25+)
build:
	$(MVN) -DskipTests install
	mkdir -p $(SAMPLE_DIR) bin/lib
	cp runtime/target/ar.jar bin/lib/ar.jar
	cp sample-plugin/target/sample.jar $(SAMPLE_DIR)/sample.jar
	$(JAVA) -cp bin/lib/ar.jar io.ccf.ar.runtime.tools.ClassDataArchiveTrainer bin/plugins sample 1.0.0
	[ -z "$(PLUGIN_JAVA)" ] || $(JAVA) -cp bin/lib/ar.jar io.ccf.ar.runtime.tools.ClassDataArchiveTrainer bin/plugins sample 1.0.0 $(PLUGIN_JAVA)
	cp runtime/src/dist/ar bin/ar
	$(JAVA) -cp bin/lib/ar.jar io.ccf.ar.runtime.tools.DaemonArchiveTrainer bin sample 1.0.0 \
	  || { rm -f bin/lib/ar.jsa; echo "warning: no class-data archive for the daemon; bin/ar starts without one" >&2; }
	mkdir -p bin/assessments
	[ -f bin/config.yml ] || cp runtime/src/dist/config.yml bin/config.yml
	[ -n "$$(ls bin/assessments)" ] || cp runtime/src/dist/assessments/*.yaml bin/assessments/

## install-sdk: install what a plugin author builds against into the local Maven repository (~/.m2):
## io.ccf.ar:proto, io.ccf.ar:plugin-sdk (with io.ccf.ar:auto-mtls and io.ccf.ar:netty-alpn-engine) and io.ccf.ar:plugin-sdk-testing (the test harness, test scope)
install-sdk:
	$(MVN) -pl proto,plugin-sdk,plugin-sdk-testing -am install -DskipTests

## run-local: build, start a local NATS (JetStream) if none runs, then run the daemon in the foreground
## with bin/config.yml (Ctrl-C stops it cleanly; NATS keeps running: make nats-stop)
run-local: build nats-local
	cd bin && exec ./ar

nats-local:
	scripts/nats-local.sh

nats-stop:
	-[ -f build/nats/nats.pid ] && kill $$(cat build/nats/nats.pid) && rm -f build/nats/nats.pid

## test: every unit and integration test (needs Go from Debian for the interop tests; see .ci/run)
test:
	mvn -B verify

## faults: only the fault suite (real nats-servers, runtimes and plugins; part of make test too), then the
## table of counts for docs/reliability.md (from runtime/target/fault-report/*.json)
faults:
	$(MVN) -DskipTests install
	mvn -B -pl runtime verify -Dtest='io.ccf.ar.runtime.faults.**' -Dsurefire.failIfNoSpecifiedTests=false
	python3 scripts/fault-table.py

## bench: plugin start-up, Execute round trips, RSS, scheduler lateness, daemon footprint, NATS requests, registry installs (docs/benchmarks.md)
bench: build
	sh interop/go/build.sh build/go
	$(JAVA) -jar bench/target/bench.jar bin/plugins build/go | tee build/bench-plugin.md
	$(JAVA) -cp bench/target/bench.jar io.ccf.ar.bench.SchedulerBench | tee build/bench-scheduler.md
	$(JAVA) -cp bench/target/bench.jar io.ccf.ar.bench.DaemonBench bin | tee build/bench-daemon.md
	scripts/nats-local.sh
	$(JAVA) -cp bench/target/bench.jar io.ccf.ar.bench.NatsBench bin nats://127.0.0.1:4222 | tee build/bench-nats.md
	$(JAVA) -cp bench/target/bench.jar io.ccf.ar.bench.RegistryBench bin/plugins/sample/1.0.0/sample.jar | tee build/bench-registry.md

## registry: a static plugin registry in build/registry (docker-compose.yml's registry image adds it to its own tree):
## the sample plugin as sample@1.0.0, with its .sha256 and sample/index.json.
## --overwrite because this tree is rebuilt from source and a rebuilt jar differs (timestamps) from the last one;
## a registry others install from should publish new versions instead.
registry: build
	bin/ar publish sample@1.0.0 sample-plugin/target/sample.jar --to $(REGISTRY_DIR) --overwrite

## serve-registry: serve build/registry on http://127.0.0.1:$(REGISTRY_PORT)/ until Ctrl-C
## (then e.g. bin/ar install sample@1.0.0 --registry http://127.0.0.1:8081/)
serve-registry: registry
	bin/ar serve-registry $(REGISTRY_DIR) --port $(REGISTRY_PORT)

## compose-up / compose-down: the NATS + registry + runtime stack with Docker (needs a Docker engine)
compose-up:
	scripts/compose.sh up

compose-down:
	scripts/compose.sh down

clean:
	$(MVN) clean
	rm -rf bin build
