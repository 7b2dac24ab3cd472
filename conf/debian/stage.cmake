# Finishes the tree CPack staged for the Debian package, before it is
# packed: binaries stripped and man pages compressed (as dh_strip and
# dh_compress do), the
# copyright file and a changelog entry for this version in the package's
# documentation directory. Run by cpack (CPACK_PRE_BUILD_SCRIPTS in
# conf/package.cmake), which passes on only CPACK_* variables.

set(root "${CPACK_TEMPORARY_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
set(doc "${root}/${CPACK_ITF_DOCDIR}")

foreach(bin ${CPACK_ITF_BINARIES})
	execute_process(COMMAND "${CPACK_ITF_STRIP}" --remove-section=.comment
		--remove-section=.note --strip-unneeded "${root}/${bin}"
		RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "strip ${root}/${bin} failed: ${rc}")
	endif()
endforeach()

file(GLOB pages "${root}/${CPACK_ITF_MANDIR}/man*/*")
foreach(page ${pages})
	if(NOT page MATCHES "\\.gz$")
		execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE rc)
		if(NOT rc EQUAL 0)
			message(FATAL_ERROR "gzip ${page} failed: ${rc}")
		endif()
	endif()
endforeach()

file(COPY "${CPACK_ITF_SOURCE_DIR}/conf/debian/copyright"
	DESTINATION "${doc}"
	FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(version "${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
file(WRITE "${doc}/changelog.Debian"
"itfollow (${version}) stable; urgency=medium

  * itfollow ${CPACK_PACKAGE_VERSION}, packaged from its CMake build
    (scripts/package).

 -- ${CPACK_DEBIAN_PACKAGE_MAINTAINER}  ${CPACK_ITF_DATE}
")
execute_process(COMMAND gzip -9nf "${doc}/changelog.Debian"
	RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "gzip ${doc}/changelog.Debian failed: ${rc}")
endif()
