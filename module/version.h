/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MV_VERSION_H
#define _MV_VERSION_H

#define MV_VERSION "0.1.0"

#endif
