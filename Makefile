# perfxl — `make demo`, `make test` and `make lint` each work on a fresh clone:
# they create .venv first (needs Python ≥ 3.11).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -q -n auto
LO_PACKAGES := libreoffice-calc-nogui libreoffice-writer-nogui python3-uno poppler-utils fonts-wqy-microhei

# True when this shell can run LibreOffice with Calc (recalculation) and Writer (the report's render
# test), and Debian's python3 can drive it through UNO (the row-insertion test of the templates).
SOFFICE = $$(command -v soffice || command -v libreoffice)
HAVE_LO = { command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; } && \
	ls "$$(dirname "$$(readlink -f "$(SOFFICE)")")"/libswlo.* >/dev/null 2>&1 && \
	{ ! [ -x /usr/bin/python3 ] || /usr/bin/python3 -c 'import uno' 2>/dev/null; }
BROWSER_PACKAGES := chromium fonts-wqy-microhei
# True when the web page's browser tests can drive Chromium.
HAVE_BROWSER = command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
# True when we may install Debian packages ourselves.
CAN_APT = command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]

.PHONY: venv demo test libreoffice chromium lint bench clean distclean

venv: $(STAMP)

# Re-install only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "perfxl 需要 Python ≥ 3.11（当前 $(PYTHON)：$$($(PYTHON) --version 2>&1)）" >&2; exit 1; }
	@# Debian's python3 comes without ensurepip until python3-venv is installed.
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null && $(CAN_APT); then \
		echo "安装 python3-venv …"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

demo: $(STAMP)
	$(BIN)/perfxl batch inputs -o outputs --report

# Installs LibreOffice only if it is missing, apt-get exists and we are root.
libreoffice:
	@if $(HAVE_LO); then :; \
	elif $(CAN_APT); then \
		echo "未找到 LibreOffice（Calc 和 Writer），正在安装 $(LO_PACKAGES) …"; \
		export DEBIAN_FRONTEND=noninteractive; \
		{ apt-get update -qq && apt-get install -y -qq $(LO_PACKAGES) >/dev/null; } || \
			echo "注意：LibreOffice 安装失败，重算和报告渲染测试将被跳过" >&2; \
	else \
		echo "注意：未安装 LibreOffice，重算和报告渲染测试将被跳过（以 root 运行 make test 会自动安装，或：apt-get install $(LO_PACKAGES)）" >&2; \
	fi

# Installs Chromium (for the web page's browser tests) only if it is missing, apt-get exists and we are root.
chromium:
	@if $(HAVE_BROWSER); then :; \
	elif $(CAN_APT); then \
		echo "未找到 chromium，正在安装 $(BROWSER_PACKAGES) …"; \
		export DEBIAN_FRONTEND=noninteractive; \
		{ apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; } || \
			echo "注意：chromium 安装失败，网页的浏览器测试将被跳过" >&2; \
	else \
		echo "注意：未安装 chromium，网页的浏览器测试将被跳过（以 root 运行 make test 会自动安装，或：apt-get install chromium）" >&2; \
	fi

# With LibreOffice (Chromium) present its tests must run: PERFXL_REQUIRE_LO=1
# (PERFXL_REQUIRE_BROWSER=1) turns a skip into a failure.
test: $(STAMP) libreoffice chromium
	@if $(HAVE_LO); then export PERFXL_REQUIRE_LO=1; fi; \
	if $(HAVE_BROWSER); then export PERFXL_REQUIRE_BROWSER=1; fi; \
	echo "PERFXL_REQUIRE_LO=$${PERFXL_REQUIRE_LO:-0} PERFXL_REQUIRE_BROWSER=$${PERFXL_REQUIRE_BROWSER:-0} $(BIN)/python -m pytest $(PYTEST_ARGS)"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy perfxl

bench: $(STAMP)
	@if [ -f bench/batch.py ]; then $(BIN)/python bench/batch.py; else echo "bench/batch.py 还不存在"; fi

clean:
	rm -rf outputs bench/out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
