# The Debian package: CPack's DEB generator over the install rules of the
# top-level CMakeLists.txt and conf/install.cmake, with the maintainer
# scripts of conf/debian/ (the itfollow user, the service, what a purge
# removes), the configuration marked as a conffile, and dependencies that
# dpkg-shlibdeps computes from the binaries. conf/debian/stage.cmake finishes
# the staged tree the way Debian wants it (compressed man pages, changelog,
# copyright). scripts/package configures a build for it and runs cpack.
# Included by the top-level CMakeLists.txt, after conf/install.cmake.

set(ITF_DEB_RELEASE "1" CACHE STRING
	"Debian revision of the package (itfollow_VERSION-REVISION_ARCH.deb)")
set(ITF_DEB_MAINTAINER "itfollow maintainers <itfollow@example.org>"
	CACHE STRING "Maintainer field of the Debian package")
set(ITF_SYSUSERS_NAME "itfollow.conf")
set(ITF_UNIT_NAME "itfollowd.service")
if(IS_ABSOLUTE "${ITF_UNIT_DIR}")
	set(ITF_UNIT_FILE "${ITF_UNIT_DIR}/${ITF_UNIT_NAME}")
else()
	set(ITF_UNIT_FILE "${CMAKE_INSTALL_PREFIX}/${ITF_UNIT_DIR}/${ITF_UNIT_NAME}")
endif()

foreach(f postinst prerm postrm)
	configure_file(${CMAKE_SOURCE_DIR}/conf/debian/${f}.in
		${CMAKE_BINARY_DIR}/debian/${f} @ONLY)
endforeach()
# dpkg keeps an edited configuration over upgrades and asks before it
# replaces one: only files listed here get that care.
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles "${ITF_CONF_FILE}\n")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "itfollow")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${ITF_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${ITF_DEB_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ITF_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"metrics daemon for following up a city's IT")
# The synopsis line comes from the summary above.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
	"itfollowd runs collectors on a schedule: HTTP(S) and TCP availability
probes, check programs in the Monitoring Plugins, Munin and collectd
formats, C plugins, licence servers (FlexNet, RLM, Microsoft 365),
learning records (xAPI), FinOps FOCUS cost feeds and generic JSON and CSV
feeds. It stores every value in RRD files per follow-up perspective, keeps
an SQLite journal of outages and serves /health, /metrics, a JSON API and
a dashboard on loopback. The itfollow tool draws graphs and writes
availability reports, quarterly scorecards and exports from the same data.")
# Libraries from the binaries (dpkg-shlibdeps); what runs beside them by
# hand: systemd-sysusers makes the user in the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
	"systemd | systemd-standalone-sysusers | systemd-sysusers")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "rrdcached, fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "monitoring-plugins, munin-plugins-core")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${CMAKE_BINARY_DIR}/debian/postinst
	${CMAKE_BINARY_DIR}/debian/prerm
	${CMAKE_BINARY_DIR}/debian/postrm
	${CMAKE_BINARY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# What conf/debian/stage.cmake needs (CPack passes on CPACK_* only).
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/conf/debian/stage.cmake)
set(CPACK_ITF_SOURCE_DIR "${CMAKE_SOURCE_DIR}")
set(CPACK_ITF_MANDIR "${CMAKE_INSTALL_MANDIR}")
set(CPACK_ITF_DOCDIR "${CMAKE_INSTALL_DOCDIR}")
set(CPACK_ITF_STRIP "${CMAKE_STRIP}")
set(CPACK_ITF_BINARIES "${CMAKE_INSTALL_SBINDIR}/itfollowd"
	"${CMAKE_INSTALL_BINDIR}/itfollow" "${ITF_RENDERER_DIR}/itfollow-render")
string(TIMESTAMP CPACK_ITF_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)

include(CPack)
