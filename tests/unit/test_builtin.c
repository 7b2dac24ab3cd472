/*
 * The built-in collector types in two halves: the data the configuration
 * model reads (conftype_builtin: no function, so the tool links no run
 * code) and the run ops the daemon swaps in (builtin_run_ops). Each
 * type's halves must agree on everything the model uses, and the swap
 * must leave a plugin's ops alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "builtin.h"
#include "conftype.h"

static const char *const test_builtin_names[] = { "http", "tcp", "exec",
	"flexlm", "rlm", "m365", "json", "csv", "xapi", "focus", "users",
	"icmp", "dns", NULL };

static void
test_builtin_agree(void **state)
{
	const struct itf_collector_ops *type, *run;
	size_t i;

	(void)state;
	for (i = 0; test_builtin_names[i] != NULL; i++) {
		type = conftype_builtin(test_builtin_names[i]);
		assert_non_null(type);
		assert_null(type->configure);
		assert_null(type->start);
		assert_null(type->cancel);
		assert_null(type->destroy);
		run = builtin_run_ops(type);
		assert_ptr_not_equal(run, type);
		assert_non_null(run->configure);
		assert_non_null(run->start);
		assert_non_null(run->cancel);
		assert_non_null(run->destroy);
		assert_int_equal(run->abi_version, type->abi_version);
		assert_string_equal(run->name, test_builtin_names[i]);
		assert_string_equal(run->name, type->name);
		assert_string_equal(run->perspective, type->perspective);
		assert_string_equal(run->template_name, type->template_name);
		assert_ptr_equal(run->keys, type->keys);
		assert_int_equal(run->default_interval, type->default_interval);
		assert_int_equal(run->flags, type->flags);
		/* Swapped once: run ops stay what they are. */
		assert_ptr_equal(builtin_run_ops(run), run);
	}
	assert_null(conftype_builtin("nosuch"));
}

static void
test_builtin_plugin(void **state)
{
	static const struct itf_collector_ops plugin = {
		.abi_version = ITF_COLLECTOR_ABI_VERSION,
		.name = "http", /* a name alone does not make a built-in */
	};

	(void)state;
	assert_ptr_equal(builtin_run_ops(&plugin), &plugin);
	assert_ptr_equal(builtin_run_ops(&conftype_unloaded_ops),
	    &conftype_unloaded_ops);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_agree),
		cmocka_unit_test(test_builtin_plugin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
