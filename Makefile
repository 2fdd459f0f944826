# One command runs the daemon (make run-local), one runs the tests (make test).
MVN ?= mvn -B -q
SAMPLE_DIR := bin/plugins/sample/1.0.0

.PHONY: build test bench run-local clean

build:
	$(MVN) -DskipTests install
	mkdir -p $(SAMPLE_DIR) bin/lib
	cp sample-plugin/target/sample.jar $(SAMPLE_DIR)/sample.jar
	cp runtime/target/ar.jar bin/lib/ar.jar

test:
	$(MVN) verify

clean:
	$(MVN) clean
	rm -rf bin build
