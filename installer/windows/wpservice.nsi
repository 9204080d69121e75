; The per-user installer of the wpservice engine on Windows.
;
; It needs no administrator: everything goes under the user's profile and HKCU.
;   files       %LocalAppData%\wpservice (the engine and the uninstaller)
;   logon       HKCU Run key: the engine starts in the user's session at logon
;   now         the engine is started at the end of the install
;   Start menu  "wpservice" opens the softphone page (http://127.0.0.1:18620/)
;   uninstall   HKCU Apps & features entry; stops the engine, removes the Run key,
;               the Start-menu entry and the files; keeps the user's settings and
;               data (%AppData%\wpservice) unless /PURGE is given or the box is ticked
;
; Built by installer/dist.sh:
;   makensis -DVERSION=1.2.3 -DENGINE=path\to\wpservice.exe -DOUTFILE=setup.exe wpservice.nsi
; Silent: setup.exe /S     uninstall.exe /S [/PURGE]

Unicode true
Target amd64-unicode ; a 32-bit stub would need WOW64, absent from 64-bit-only systems
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
	!error "define VERSION (makensis -DVERSION=...)"
!endif
!ifndef ENGINE
	!error "define ENGINE, the path of the Windows engine to install"
!endif
!ifndef OUTFILE
	!define OUTFILE "wpservice-${VERSION}-windows-amd64-setup.exe"
!endif

!define APP "wpservice"
!define EXE "wpservice.exe"
!define PAGE_URL "http://127.0.0.1:18620/"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\${APP}"
BrandingText "${APP} ${VERSION}"

!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; StopEngine ends the user's running engine, so that its files can be replaced or
; removed. A user who is not an administrator can end only their own processes.
!macro StopEngine
	nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM ${EXE}'
	Pop $0
	; The process may take a moment to release its file after it is ended.
	StrCpy $1 0
	${DoWhile} ${FileExists} "$INSTDIR\${EXE}"
		ClearErrors
		Delete "$INSTDIR\${EXE}"
		${IfNot} ${Errors}
			${Break}
		${EndIf}
		IntOp $1 $1 + 1
		${If} $1 >= 50
			${Break}
		${EndIf}
		Sleep 100
	${Loop}
!macroend

Section "Install"
	SetShellVarContext current
	!insertmacro StopEngine
	SetOutPath "$INSTDIR"
	File "/oname=${EXE}" "${ENGINE}"
	WriteUninstaller "$INSTDIR\uninstall.exe"

	WriteRegStr HKCU "${RUN_KEY}" "${APP}" '"$INSTDIR\${EXE}" run'
	WriteINIStr "$SMPROGRAMS\${APP}.url" "InternetShortcut" "URL" "${PAGE_URL}"

	WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
	WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP}"
	WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
	WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0

	; Start now, in this session, as the Run key will at the next logon.
	Exec '"$INSTDIR\${EXE}" run'
SectionEnd

Section "un.Program" SecProgram
	SectionIn RO
	SetShellVarContext current
	!insertmacro StopEngine
	DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
	Delete "$SMPROGRAMS\${APP}.url"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

; Unticked by default: the account, settings, pairings and history stay for a
; later install.
Section /o "un.My settings, account and call history" SecPurge
	SetShellVarContext current
	RMDir /r "$APPDATA\${APP}"
SectionEnd

Function un.onInit
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/PURGE" $1
	${IfNot} ${Errors}
		SectionSetFlags ${SecPurge} ${SF_SELECTED}
	${EndIf}
FunctionEnd
