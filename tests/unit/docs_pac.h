/*
 * docs_pac.h: the two example PACs of Docker's air-gapped containers page
 * ("Basic PAC file structure", "Advanced PAC file example"), as the docs
 * print them: one copy for the unit tests and the benchmark.
 */
#ifndef DOCS_PAC_H
#define DOCS_PAC_H

/* Docker's "Basic PAC file structure" example, as the docs print it. */
static const char basic_pac[] =
	"function FindProxyForURL(url, host) {\n"
	"\tif (localHostOrDomainIs(host, 'internal.corp')) {\n"
	"\t\treturn \"PROXY 10.0.0.1:3128\";\n"
	"\t}\n"
	"\tif (isInNet(host, \"192.168.0.0\", \"255.255.255.0\")) {\n"
	"\t    return \"DIRECT\";\n"
	"\t}\n"
	"    return \"PROXY reject.docker.internal:1234\";\n"
	"}\n";

/* Docker's "Advanced PAC file example", as the docs print it. */
static const char advanced_pac[] =
	"function FindProxyForURL(url, host) {\n"
	"  // Allow access to Docker Hub for approved base images\n"
	"  if (dnsDomainIs(host, \".docker.io\") || host === \"docker.io\") {\n"
	"    return \"PROXY corporate-proxy.company.com:8080\";\n"
	"  }\n"
	"\n"
	"  // Allow internal package repositories\n"
	"  if (localHostOrDomainIs(host, 'nexus.company.com') ||\n"
	"      localHostOrDomainIs(host, 'artifactory.company.com')) {\n"
	"    return \"DIRECT\";\n"
	"  }\n"
	"\n"
	"  // Allow development tools on specific ports\n"
	"  if (url.indexOf(\":3000\") > 0 || url.indexOf(\":8080\") > 0) {\n"
	"    if (isInNet(host, \"10.0.0.0\", \"255.0.0.0\")) {\n"
	"      return \"DIRECT\";\n"
	"    }\n"
	"  }\n"
	"\n"
	"  // Block access to developer's localhost\n"
	"  if (host === \"host.docker.internal\" || host === \"localhost\") {\n"
	"    return \"PROXY reject.docker.internal:1234\";\n"
	"  }\n"
	"\n"
	"  // Block all other external access\n"
	"  return \"PROXY reject.docker.internal:1234\";\n"
	"}\n";

#endif
