# PRISM: common tasks. `make up` runs the stack locally; `make test` is what CI runs.

SHELL := /usr/bin/env bash
CARGO_TARGET_DIR ?= $(HOME)/.cache/prism-target
export CARGO_TARGET_DIR
PRISM_VAR ?= $(CURDIR)/var

.PHONY: up test build fmt lint clean-var

up: ## start NATS and the five services with demo data (Ctrl-C stops them)
	python3 deploy/scripts/up.py

test: ## fmt check, clippy, build, the suite on SQLite and on PostgreSQL
	bash deploy/scripts/test.sh

build: ## every binary, release
	cargo build --workspace --release --bins

fmt: ## format the code
	cargo fmt --all

lint: ## the checks make test runs first
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

clean-var: ## forget the local stack's data, keys and demo seed
	rm -rf -- "$(PRISM_VAR)"
