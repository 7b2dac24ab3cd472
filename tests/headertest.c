/*
 * The public header alone, as a plugin author includes it: compiled with
 * -std=c99 -pedantic -Werror by the build (it must not need anything but
 * the C library).
 */
#include <itfollow/collector.h>

int headertest_version(void);

int
headertest_version(void)
{
	struct itf_collector_ops ops = { 0 };
	struct itf_ds_spec spec = { ITF_DS_GAUGE, 0, 1 };

	ops.abi_version = ITF_COLLECTOR_ABI_VERSION;
	return (int)ops.abi_version + (int)spec.type;
}
