/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.h -- a CUnit runner shared by the unit test programs: runs the
 * given suites verbosely and exits non-zero when any assertion failed.
 */
#ifndef MXP_UNIT_H
#define MXP_UNIT_H

#include <CUnit/Basic.h>
#include <stdio.h>

#define UNIT_TEST(fn) {#fn, fn}

static inline int unit_run(CU_SuiteInfo *suites)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_error() != CUE_SUCCESS)
		failed++;
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}

#endif
