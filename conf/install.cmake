# Installing itfollow as a service: the configuration (an existing one is
# kept), the systemd unit and the sysusers.d entry of its user, the man
# pages and the documented example configuration, all naming the paths this
# build installs to. Included by the top-level CMakeLists.txt.

set(ITF_USER "itfollow" CACHE STRING "The user the service runs as")
set(ITF_UNIT_DIR "lib/systemd/system" CACHE STRING
	"Where the systemd unit goes (relative: under the prefix)")
set(ITF_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING
	"Where the sysusers.d entry goes (relative: under the prefix)")

# systemd's StateDirectory=itfollow is this directory.
set(ITF_DATA_DIR "/var/lib/itfollow")
set(ITF_CONF_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/itfollow/itfollowd.conf")
set(ITF_INSTALLED_TEMPLATES
	"${CMAKE_INSTALL_FULL_DATADIR}/itfollow/rrd-templates")
set(ITF_PLUGIN_DIR "${CMAKE_INSTALL_PREFIX}/lib/itfollow/plugins")
set(ITF_RENDERER "${CMAKE_INSTALL_PREFIX}/${ITF_RENDERER_DIR}/itfollow-render")
set(ITF_FULL_SBINDIR "${CMAKE_INSTALL_FULL_SBINDIR}")
set(ITF_FULL_DOCDIR "${CMAKE_INSTALL_FULL_DOCDIR}")

foreach(f conf/itfollowd.conf conf/itfollowd.service daemon/itfollowd.8
		tools/itfollow.1 conf/itfollowd.conf.5 conf/itfollow.sysusers)
	configure_file(${CMAKE_SOURCE_DIR}/${f}.in
		${CMAKE_BINARY_DIR}/install/${f} @ONLY)
endforeach()

# /usr/local/etc moves with `cmake --install --prefix`; /etc (prefix /usr)
# does not.
if(CMAKE_INSTALL_FULL_SYSCONFDIR STREQUAL
		"${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SYSCONFDIR}")
	set(itf_conf_dir "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SYSCONFDIR}/itfollow")
else()
	set(itf_conf_dir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/itfollow")
endif()
install(CODE "
	set(itf_conf_dir \"${itf_conf_dir}\")
	if(EXISTS \"\$ENV{DESTDIR}\${itf_conf_dir}/itfollowd.conf\")
		message(STATUS \"Keeping: \$ENV{DESTDIR}\${itf_conf_dir}/itfollowd.conf\")
	else()
		file(INSTALL DESTINATION \"\${itf_conf_dir}\" TYPE FILE
			FILES \"${CMAKE_BINARY_DIR}/install/conf/itfollowd.conf\")
	endif()")

install(FILES ${CMAKE_BINARY_DIR}/install/conf/itfollowd.service
	DESTINATION ${ITF_UNIT_DIR})
install(FILES ${CMAKE_BINARY_DIR}/install/conf/itfollow.sysusers
	DESTINATION ${ITF_SYSUSERS_DIR} RENAME itfollow.conf)
install(FILES ${CMAKE_BINARY_DIR}/install/daemon/itfollowd.8
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_BINARY_DIR}/install/tools/itfollow.1
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_BINARY_DIR}/install/conf/itfollowd.conf.5
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CMAKE_SOURCE_DIR}/conf/itfollowd.conf
	${CMAKE_SOURCE_DIR}/conf/demo.conf
	DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY DESTINATION lib/itfollow/plugins)
