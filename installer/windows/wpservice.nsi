; The installer of the wpservice engine on Windows.
;
; By default it installs for the user who runs it and needs no administrator:
;   files       %LocalAppData%\wpservice (the engine and the uninstaller)
;   logon       HKCU Run key: the engine starts in the user's session at logon
;   now         the engine is started at the end of the install
;   Start menu  "wpservice" opens the softphone page (http://127.0.0.1:18620/)
;   uninstall   HKCU Apps & features entry; stops the engine, removes the Run key,
;               the Start-menu entry and the files; keeps the user's settings and
;               data (%AppData%\wpservice) unless /PURGE is given or the box is ticked
;
; /ALLUSERS installs for every user of the computer (an administrator's install):
; %ProgramFiles%\wpservice, the HKLM Run key (the engine still starts in each
; user's own session at their logon, never as a service), the all-users Start menu
; and an HKLM Apps & features entry. No engine is started by the install itself:
; the installing account is an administrator's or the system's, not a desk user's.
;
; /CONFIG=path copies a provisioning config.json: with /ALLUSERS to the machine's
; config (%ProgramData%\wpservice\config.json), read by every user's engine before
; the user's own; without, to the user's config (%AppData%\wpservice\config.json).
; A file it replaces is kept as config.json.bak.
;
; Built by installer/dist.sh:
;   makensis -DVERSION=1.2.3 -DENGINE=path\to\wpservice.exe -DOUTFILE=setup.exe wpservice.nsi
; Silent: setup.exe /S [/ALLUSERS] [/CONFIG=path]     uninstall.exe /S [/PURGE]

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
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run" ; under SHCTX: HKCU, or HKLM with /ALLUSERS
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\${APP}"
BrandingText "${APP} ${VERSION}"

Var AllUsers  ; 1 for an install for every user (/ALLUSERS)
Var ConfigSrc ; the provisioning config.json (/CONFIG=path), or empty

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

; .onInit reads the command line: the scope of the install, and the config to
; provision, which must exist.
Function .onInit
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/ALLUSERS" $1
	${IfNot} ${Errors}
		StrCpy $AllUsers 1
	${EndIf}
	ClearErrors
	${GetOptions} $0 "/CONFIG=" $1
	${If} ${Errors}
		StrCpy $ConfigSrc ""
	${Else}
		GetFullPathName $ConfigSrc $1 ; a relative path is the caller's, not $INSTDIR's
		${If} $ConfigSrc == ""
		${OrIfNot} ${FileExists} $ConfigSrc
			MessageBox MB_ICONSTOP "/CONFIG: no file $1" /SD IDOK
			SetErrorLevel 2
			Abort
		${EndIf}
	${EndIf}

	${If} $AllUsers == 1
		UserInfo::GetAccountType
		Pop $1
		${If} $1 != "Admin"
			MessageBox MB_ICONSTOP "/ALLUSERS installs for every user and needs an administrator." /SD IDOK
			SetErrorLevel 740 ; ERROR_ELEVATION_REQUIRED
			Abort
		${EndIf}
		${If} $INSTDIR == "$LOCALAPPDATA\${APP}" ; the user's, not one chosen with /D=
			StrCpy $INSTDIR "$PROGRAMFILES64\${APP}"
		${EndIf}
		SetShellVarContext all ; $LOCALAPPDATA, $SMPROGRAMS and SHCTX: every user's
	${Else}
		SetShellVarContext current
	${EndIf}
FunctionEnd

; ProvisionConfig copies /CONFIG's file to the machine's config (/ALLUSERS) or the
; user's, keeping a file it replaces as config.json.bak.
!macro ProvisionConfig
	${If} $ConfigSrc != ""
		${If} $AllUsers == 1
			ReadEnvStr $2 "ProgramData" ; where the engine looks for the machine's config
			StrCpy $2 "$2\${APP}"
		${Else}
			StrCpy $2 "$APPDATA\${APP}"
		${EndIf}
		CreateDirectory $2
		${If} ${FileExists} "$2\config.json"
			Delete "$2\config.json.bak"
			Rename "$2\config.json" "$2\config.json.bak"
		${EndIf}
		ClearErrors
		CopyFiles /SILENT $ConfigSrc "$2\config.json"
		${If} ${Errors}
			MessageBox MB_ICONSTOP "/CONFIG: could not copy $ConfigSrc to $2\config.json" /SD IDOK
			SetErrorLevel 2
			Abort
		${EndIf}
	${EndIf}
!macroend

Section "Install"
	!insertmacro StopEngine
	SetOutPath "$INSTDIR"
	File "/oname=${EXE}" "${ENGINE}"
	WriteUninstaller "$INSTDIR\uninstall.exe"
	!insertmacro ProvisionConfig

	WriteRegStr SHCTX "${RUN_KEY}" "${APP}" '"$INSTDIR\${EXE}" run'
	WriteINIStr "$SMPROGRAMS\${APP}.url" "InternetShortcut" "URL" "${PAGE_URL}"

	WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${APP}"
	WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${APP}"
	WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
	WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
	WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" $0

	; Start now, in this session, as the Run key will at the next logon. An install
	; for every user leaves that to each user's logon.
	${If} $AllUsers != 1
		Exec '"$INSTDIR\${EXE}" run'
	${EndIf}
SectionEnd

Section "un.Program" SecProgram
	SectionIn RO
	; the local CA that `wpservice trust install` put in this user's trust stores goes
	; with the program (it says "no local CA installed" when there is none); before
	; StopEngine, which deletes the engine's file once its process has let it go
	nsExec::Exec '"$INSTDIR\${EXE}" trust uninstall'
	Pop $0
	!insertmacro StopEngine
	DeleteRegValue SHCTX "${RUN_KEY}" "${APP}"
	Delete "$SMPROGRAMS\${APP}.url"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey SHCTX "${UNINSTALL_KEY}"
SectionEnd

; Unticked by default: the account, settings, pairings and history stay for a
; later install. For an install for every user, the machine's config goes too (the
; other users' own data stays in their profiles).
Section /o "un.My settings, account and call history" SecPurge
	${If} $AllUsers == 1
		ReadEnvStr $2 "ProgramData"
		RMDir /r "$2\${APP}"
	${EndIf}
	SetShellVarContext current
	RMDir /r "$APPDATA\${APP}"
SectionEnd

; un.onInit finds the scope of the install it removes: for every user when the
; HKLM Apps & features entry names this folder.
Function un.onInit
	SetShellVarContext current
	ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "InstallLocation"
	${If} $0 == $INSTDIR
		StrCpy $AllUsers 1
		SetShellVarContext all
	${EndIf}
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/PURGE" $1
	${IfNot} ${Errors}
		SectionSetFlags ${SecPurge} ${SF_SELECTED}
	${EndIf}
FunctionEnd
