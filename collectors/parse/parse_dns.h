/*
 * DNS answers, as a name server sends them back to a query (RFC 1035
 * section 4). Pure: a buffer (any bytes) in, a struct out, no I/O.
 *
 *	header    id, flags (QR, opcode, AA, TC, RD, RA, rcode), and the
 *	          counts of questions, answers, authority and additional
 *	          records: 12 bytes
 *	question  name, type, class (the first is kept; a count above 1
 *	          is refused)
 *	answers   name, type, class, TTL, data length, data: each one read
 *	          whole and its data put in presentation form (below);
 *	          authority and additional records are not read
 *
 * Names are labels of at most 63 bytes, or a compression pointer (RFC
 * 1035 4.1.4) to an earlier name. Stricter than RFC 1035 so that a
 * hostile answer cannot loop: a pointer must point below every place the
 * name has been read from so far (each jump goes back), a name is at most
 * 255 bytes, and label types 01 and 10 (RFC 6891's extended labels) are
 * refused. A name's presentation form ends in '.', with '.', '\\', '"',
 * ';', '(', ')', '@' and '$' inside a label escaped by a backslash and
 * bytes outside '!'..'~' written \DDD (RFC 4343).
 *
 * Data in presentation form, by type: A and AAAA the address (inet_ntop);
 * NS, CNAME, PTR, DNAME the name; MX "preference name"; SOA "mname rname
 * serial refresh retry expire minimum"; SRV "priority weight port
 * target"; TXT each string in double quotes, separated by a space (\" \\
 * and \DDD inside); CAA "flags tag \"value\""; any other type RFC 3597's
 * "\# length hex". Data whose form does not fill its data length exactly
 * is an error, as is a record that runs past the end of the message.
 */
#ifndef PARSE_DNS_H
#define PARSE_DNS_H

#include <stddef.h>
#include <stdint.h>

#define PARSE_DNS_NAME_MAX 1280 /* bytes of a name's presentation form */

struct parse_dns_rr {
	char *name; /* the owner, presentation form */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	char *data; /* presentation form */
};

struct parse_dns {
	uint16_t id;
	int qr, opcode, aa, tc, rd, ra;
	int rcode; /* the header's 4 bits */
	unsigned qdcount, ancount, nscount, arcount;
	char *qname; /* NULL when there is no question */
	uint16_t qtype, qclass;
	struct parse_dns_rr *answers; /* ancount of them */
	size_t nanswers;
};

/*
 * Parse buf[0..len) into *out (free it with parse_dns_free, also after an
 * error). Returns 0, or -1 with a message in *cause (the caller frees)
 * saying what is wrong and where ("answer 3: name pointer loops").
 */
int parse_dns(const unsigned char *buf, size_t len, struct parse_dns *out,
    char **cause);
void parse_dns_free(struct parse_dns *);

/* "NOERROR", "NXDOMAIN", ... for rcode 0 to 15; NULL for others. */
const char *parse_dns_rcode_name(int rcode);
/* The rcode of a name (any case), "RCODE5" too; -1 if none. */
int parse_dns_rcode(const char *name);
/* "A", "MX", ... or NULL for a type without a name. */
const char *parse_dns_type_name(uint16_t type);
/* The type of a name (any case), "TYPE65" too (RFC 3597); -1 if none. */
int parse_dns_type(const char *name);

#endif
