/*
 * The names of a run's reasons and states (enum itf_reason, itf_status of
 * the collector ABI) as the journal, /metrics, the API and the tool print
 * them: one table, so that what the daemon writes the tool reads back.
 */
#include "reason.h"

const char *
reason_name(enum itf_reason r)
{
	switch (r) {
	case ITF_REASON_OK:
		return "ok";
	case ITF_REASON_TIMEOUT:
		return "timeout";
	case ITF_REASON_DNS:
		return "dns";
	case ITF_REASON_CONNECT:
		return "connect";
	case ITF_REASON_TLS:
		return "tls";
	case ITF_REASON_HTTP_STATUS:
		return "http_status";
	case ITF_REASON_BODY_MISMATCH:
		return "body_mismatch";
	case ITF_REASON_PROTOCOL:
		return "protocol";
	case ITF_REASON_RECV:
		return "recv";
	case ITF_REASON_SEND:
		return "send";
	case ITF_REASON_EXPECT_MISMATCH:
		return "expect_mismatch";
	case ITF_REASON_TOO_LARGE:
		return "too_large";
	case ITF_REASON_EXEC_FAILED:
		return "exec_failed";
	case ITF_REASON_PARSE_ERROR:
		return "parse_error";
	case ITF_REASON_CANCELLED:
		return "cancelled";
	case ITF_REASON_INTERNAL:
		return "internal";
	case ITF_REASON_CHECK_WARNING:
		return "check_warning";
	case ITF_REASON_CHECK_CRITICAL:
		return "check_critical";
	case ITF_REASON_CHECK_UNKNOWN:
		return "check_unknown";
	case ITF_REASON_AUTH:
		return "auth";
	case ITF_REASON_KILLED:
		return "killed";
	case ITF_REASON_RATE_LIMITED:
		return "rate_limited";
	case ITF_REASON_UNREACHABLE:
		return "unreachable";
	case ITF_REASON_LOSS:
		return "loss";
	case ITF_REASON_DNS_RCODE:
		return "dns_rcode";
	case ITF_REASON_ANSWER_MISMATCH:
		return "answer_mismatch";
	case ITF_REASON_TOO_MANY_SERIES:
		return "too_many_series";
	}
	return "invalid";
}

const char *
reason_status_name(enum itf_status s)
{
	switch (s) {
	case ITF_STATUS_UP:
		return "up";
	case ITF_STATUS_DOWN:
		return "down";
	case ITF_STATUS_UNKNOWN:
		return "unknown";
	}
	return "invalid";
}
