# SPDX-License-Identifier: GPL-2.0
# Shared settings for the userspace tools.
TOP := $(dir $(lastword $(MAKEFILE_LIST)))..
VERSION := $(shell sed -n 's/^\#define MV_VERSION "\(.*\)"/\1/p' $(TOP)/module/version.h)
PREFIX ?= /usr/local
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I$(TOP)/uapi -DMV_TOOLS_VERSION='"$(VERSION)"'
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
