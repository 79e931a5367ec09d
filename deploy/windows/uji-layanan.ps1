# Uji lapangan sopbot di Windows Server (dijalankan ADB sekali, di server, sebagai Administrator).
# Field test of sopbot on Windows Server, run once by the ADB on the server as an administrator:
#
#   1. stop the service during a test export; no new SOPBOT_ job may remain in USER_DATAPUMP_JOBS
#   2. the same with Ctrl+C on `sopbot backup` in a console window
#   3. KILL_JOB through a pipe to expdp.exe, as the bot stops a job (`expdp attach=<job>`)
#   4. the backup disk's drive letter: plugged, unplugged, locked (BitLocker)
#   5. icacls of the install (DATA_DIR, .env, the office key, .venv) and the WinSW settings
#
# It prints one verdict per line (LULUS / GAGAL / DILEWATI) and writes a report the ADB can send.
# Usage (PowerShell 5.1 or 7, administrator):
#   powershell -ExecutionPolicy Bypass -File C:\sopbot\deploy\windows\uji-layanan.ps1
#   ... -InstallDir C:\sopbot -ServiceName sopbot -SqlPlus C:\oracle\...\BIN\sqlplus.exe
#
# Sources: each step below names the ones it relies on as [S<n>].
#   [S1] Microsoft, PowerShell reference: Get-Service, Start-Service, Stop-Service ("sends a stop
#        message to the Windows Service Controller"; it waits for the service to stop unless
#        -NoWait is given), Start-Process (-PassThru, -ArgumentList, -RedirectStandardOutput,
#        -WorkingDirectory; without -NoNewWindow a console program gets a new console window),
#        Read-Host -AsSecureString, Get-Content (-Tail, -Encoding), Test-Path -LiteralPath.
#   [S2] Microsoft, about_Character_Encoding: PowerShell decodes a native program's output with
#        [Console]::OutputEncoding and encodes what it pipes to one with $OutputEncoding.
#   [S3] Microsoft, icacls (Windows Commands): "path principal:(inheritance)(rights)" display;
#        simple rights N F M RX R W D; specific rights in brackets, comma-separated (DE delete, RC,
#        WDAC, WO, S, AS, MA, GR, GW, GE, GA, RD, WD, AD, REA, WEA, X, DC, RA, WA); (I) (OI) (CI)
#        (IO) (NP) inheritance; /inheritance:r removes inherited entries, /grant:r replaces
#        explicit ones; a SID is written *S-1-...
#   [S4] Microsoft, SecurityIdentifier.Translate(NTAccount) and WindowsIdentity.GetCurrent().User.
#   [S5] Microsoft, manage-bde -lock <drive> / manage-bde -unlock <drive> -Password;
#        Win32_EncryptableVolume.Lock: locking fails (E_ACCESS_DENIED) while programs use the
#        volume.
#   [S6] Microsoft, Get-Volume (Storage module, Server 2012+; MSFT_Volume: DriveLetter,
#        FileSystem, FileSystemLabel, DriveType, HealthStatus, Size, SizeRemaining).
#   [S7] Microsoft, CreateProcess flags / ProcessStartInfo.CreateNewProcessGroup: a process in a
#        new process group has Ctrl+C disabled; GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) reaches
#        every process attached to the console (what a Ctrl+C typed in a console does).
#   [S8] distlib PC/launcher.c (pip's sopbot.exe): ignores Ctrl+C itself (its handler returns
#        TRUE), waits for python and exits with python's exit code.
#   [S9] WinSW 2.x doc/xmlConfigFile.md: <stoptimeout> (Ctrl+C, then wait, default 15 s, then
#        TerminateProcess; durations with sec/secs/min/mins/hour/hours/day/days), and
#        <stopparentprocessfirst> ("the parent process is shutdown first ... useful when the
#        main process is a console, which can respond to Ctrl+C"); README: the XML has the
#        renamed WinSW.exe's name. "ms" and a bare number (milliseconds) follow WinSW 2.12's
#        ConfigHelper.ParseTimeSpan as tests/test_service_stop_settings.py reads it.
#   [S10] Oracle Database Utilities, Data Pump Export: PARFILE, USERID, JOB_NAME, ATTACH ("the
#        only other Data Pump parameter you can specify ... is ENCRYPTION_PASSWORD"; attaching
#        shows the job and the Export> prompt); interactive-command KILL_JOB ("Are you sure you
#        wish to stop this job ([yes]/no):"; clients detached, master table and dump files
#        deleted, log file kept); exit codes are not documented for KILL_JOB: the bot treats 0
#        as stopped, so this test checks that too.
#   [S11] Oracle Database Reference: USER_DATAPUMP_JOBS (JOB_NAME, STATE, jobs of the current
#        user; a stopped job's master table stays listed, a killed job's goes).
#   [S12] SQL*Plus User's Guide: sqlplus -S (silent) -L (log on once) /NOLOG, CONNECT
#        user/"password"@connect_identifier (quotes for special characters), SET DEFINE OFF (no
#        "&" substitution), SET HEADING/FEEDBACK/PAGESIZE/LINESIZE, EXIT.
# This file is ASCII on purpose: PowerShell 5.1 reads a .ps1 without BOM in the ANSI code page.

[CmdletBinding()]
param(
    [string]$InstallDir = "C:\sopbot",
    [string]$ServiceName = "sopbot",
    [string]$SqlPlus = "sqlplus",
    [string]$Report = ""
)

# Continue, not Stop: in PowerShell 5.1 a native program's stderr captured with 2>&1 becomes
# error records, and Stop would end the test at sopbot's first log line.
$ErrorActionPreference = "Continue"
$previousEncoding = [Console]::OutputEncoding
# sopbot writes UTF-8 when its output is captured (sopbot/cli.py); decode it as such [S2].
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
# What is piped to SQL*Plus and expdp is encoded with $OutputEncoding (ASCII in PowerShell 5.1,
# which would turn a non-ASCII password into "?") [S2]: UTF-8, as NLS_LANG below tells Oracle.
$previousOutputEncoding = $OutputEncoding
$OutputEncoding = New-Object System.Text.UTF8Encoding $false
# Oracle's messages in English and UTF-8, as the bot starts expdp (jobs/dump/expdp.py ENGLISH):
# the KILL_JOB confirmation then expects "yes" [S10].
$previousNls = $env:NLS_LANG
$env:NLS_LANG = "AMERICAN_AMERICA.AL32UTF8"

$envFile = Join-Path $InstallDir ".env"
$sopbot = Join-Path $InstallDir ".venv\Scripts\sopbot.exe"
$stamp = Get-Date -Format "yyyyMMdd-HHmm"
if (-not $Report) { $Report = Join-Path $InstallDir "uji-layanan-$env:COMPUTERNAME-$stamp.txt" }
$lines = New-Object System.Collections.Generic.List[string]
$details = New-Object System.Collections.Generic.List[string]
$failed = 0
$password = ""

function Say([string]$verdict, [string]$what, [string]$why) {
    $line = "{0,-9} {1}: {2}" -f $verdict, $what, $why
    Write-Host $line
    $lines.Add($line)
    if ($verdict -eq "GAGAL") { $script:failed++ }
}

function Detail([string]$title, [string]$text) {
    if ($password) { $text = $text.Replace($password, "***") }  # never in the report
    $details.Add("----- $title -----")
    $details.Add($text.TrimEnd())
}

function Ask([string]$question) {
    return (Read-Host $question).Trim().ToUpper()
}

# .env as python-dotenv reads it, for the keys used here: KEY=value, value in quotes or plain
# (a plain value ends at " #"). Get-Content detects a UTF-8 or UTF-16 BOM [S1].
function Read-EnvFile([string]$path) {
    $values = @{}
    foreach ($raw in (Get-Content -LiteralPath $path)) {
        if ($raw -match '^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$') {
            $key = $Matches[1].ToUpper()
            $value = $Matches[2].Trim()
            if ($value.Length -ge 2 -and ($value[0] -eq '"' -or $value[0] -eq "'") -and $value.IndexOf($value[0], 1) -gt 0) {
                $value = $value.Substring(1, $value.IndexOf($value[0], 1) - 1)
            } elseif ($value -match '^(.*?)\s+#') {
                $value = $Matches[1]
            }
            $values[$key] = $value
        }
    }
    return $values
}

# A relative path in .env is relative to the bot's working directory: the install folder
# (<workingdirectory> in the WinSW XML) [S9].
function Resolve-InstallPath([string]$path) {
    if (-not $path) { return $path }
    if ([System.IO.Path]::IsPathRooted($path)) { return $path }
    return (Join-Path $InstallDir $path)
}

# A Data Pump parameter file readable by this account and the administrators only: made empty,
# its ACL replaced [S3] (SIDs [S4]), then the login written into it.
function Write-PrivateFile([string]$path, [string]$text) {
    [System.IO.File]::WriteAllText($path, "", (New-Object System.Text.UTF8Encoding $false))
    $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    & icacls $path /inheritance:r /grant:r "*S-1-5-32-544:F" "*S-1-5-18:F" "*${me}:F" | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls tidak dapat menutup $path; kata sandi tidak ditulis" }
    [System.IO.File]::WriteAllText($path, $text, (New-Object System.Text.UTF8Encoding $false))
}

# sopbot's output (stdout and stderr) and exit code; the call operator waits for it [S1][S2].
function Run-Sopbot([string[]]$arguments) {
    $output = & $sopbot @arguments 2>&1 | Out-String
    return @{ Code = $LASTEXITCODE; Text = $output }
}

# SOPBOT_ jobs of the bot's Oracle user: "NAME STATE" lines, or $null when SQL*Plus cannot ask.
# The script goes to SQL*Plus's standard input, so the password is in no command line [S12];
# USER_DATAPUMP_JOBS lists the jobs (and left-over master tables) of the user logged on [S11].
# In LIKE, "_" matches any one character: 'SOPBOT%' is the prefix the bot's job names have.
function Get-SopbotJobs {
    if (-not $script:oracleReady) { return $null }
    # SET DEFINE OFF first: with substitution on (the default) a "&" in the password would make
    # SQL*Plus ask for a variable and read the next line as its value [S12].
    $sql = @(
        "SET DEFINE OFF",
        "CONNECT $($cfg.ORACLE_USER)/`"$password`"@$($cfg.ORACLE_DSN)",
        "SET HEADING OFF FEEDBACK OFF PAGESIZE 0 LINESIZE 200 TRIMSPOOL ON",
        "SELECT job_name || ' ' || state FROM user_datapump_jobs WHERE job_name LIKE 'SOPBOT%';",
        "EXIT"
    ) -join "`r`n"
    $output = $sql | & $SqlPlus -S -L /nolog 2>&1 | Out-String
    if ($output -match "ORA-|SP2-") { Detail "SQL*Plus" $output; return $null }
    $found = @($output -split "`r?`n" | Where-Object { $_ -match "^SOPBOT" } | ForEach-Object { $_.Trim() })
    return ,$found  # the comma keeps an empty list a list (a function's output is unrolled)
}

function Wait-NewJob($before, [int]$seconds) {
    $deadline = (Get-Date).AddSeconds($seconds)
    while ((Get-Date) -lt $deadline) {
        $jobs = Get-SopbotJobs
        if ($null -ne $jobs) {
            $new = @($jobs | Where-Object { $_ -match " EXECUTING$" -and $before -notcontains (($_ -split " ")[0]) })
            if ($new.Count -gt 0) { return ($new[0] -split " ")[0] }
        }
        Start-Sleep -Seconds 5
    }
    return $null
}

function Wait-Executing([string]$job, [int]$seconds) {
    $deadline = (Get-Date).AddSeconds($seconds)
    while ((Get-Date) -lt $deadline) {
        $jobs = Get-SopbotJobs
        if ($null -ne $jobs -and $jobs -contains "$job EXECUTING") { return $true }
        Start-Sleep -Seconds 5
    }
    return $false
}

function Wait-JobGone([string]$job, [int]$seconds) {
    $deadline = (Get-Date).AddSeconds($seconds)
    do {
        $jobs = Get-SopbotJobs
        if ($null -ne $jobs -and -not ($jobs | Where-Object { ($_ -split " ")[0] -eq $job })) { return $true }
        Start-Sleep -Seconds 5
    } while ((Get-Date) -lt $deadline)
    return $false
}

function Job-Names($jobs) { return @($jobs | ForEach-Object { ($_ -split " ")[0] }) }

try {
    Write-Host "Uji lapangan sopbot - $env:COMPUTERNAME - $(Get-Date)"
    $lines.Add("Uji lapangan sopbot di $env:COMPUTERNAME, $(Get-Date -Format 'yyyy-MM-dd HH:mm')")
    if (-not (Test-Path -LiteralPath $envFile)) { throw "File pengaturan tidak ada: $envFile" }
    if (-not (Test-Path -LiteralPath $sopbot)) { throw "sopbot belum terpasang: $sopbot" }
    $cfg = Read-EnvFile $envFile
    if (-not $cfg.ORACLE_DIRECTORY) { $cfg.ORACLE_DIRECTORY = "DATA_PUMP_DIR" }
    $expdp = $cfg.EXPDP_PATH
    if (-not $expdp) { $expdp = "expdp" }
    $dataDir = Resolve-InstallPath $cfg.DATA_DIR
    if (-not $dataDir) { $dataDir = Join-Path $InstallDir "data" }
    $keyFile = Resolve-InstallPath $cfg.EXTERNAL_AGE_IDENTITY_FILE
    $script:oracleReady = $false
    if ($cfg.DUMP_BACKEND -ne "expdp") {
        Say "DILEWATI" "Oracle" "DUMP_BACKEND bukan expdp; uji 1-3 hanya untuk expdp"
    } elseif (-not (Get-Command $SqlPlus -ErrorAction SilentlyContinue)) {
        Say "DILEWATI" "Oracle" "SQL*Plus tidak ditemukan ($SqlPlus); pakai -SqlPlus <path sqlplus.exe>"
    } else {
        $secure = Read-Host "Kata sandi Oracle untuk $($cfg.ORACLE_USER) (tidak ditampilkan, tidak disimpan)" -AsSecureString
        $bstr = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure)
        $password = [Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
        [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
        $script:oracleReady = $true
        if ($null -eq (Get-SopbotJobs)) {
            $script:oracleReady = $false
            Say "GAGAL" "Oracle" "tidak dapat masuk atau membaca USER_DATAPUMP_JOBS (lihat laporan)"
        }
    }

    # --- 1. stopping the service during a test export ----------------------------------------
    # Stop-Service asks the Service Controller and waits until the service has stopped [S1];
    # WinSW then sends Ctrl+C to sopbot.exe's console and waits up to <stoptimeout> [S9]; the
    # launcher ignores it and python (the bot) handles it [S8]; expdp.exe, in its own process
    # group, does not get it [S7]; the bot attaches to its job and sends KILL_JOB [S10]. The
    # verdict: the job left USER_DATAPUMP_JOBS [S11].
    $service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
    $serviceWasRunning = $service -and $service.Status -eq "Running"
    if (-not $service) {
        Say "DILEWATI" "1 Stop layanan" "layanan $ServiceName tidak terpasang"
    } elseif (-not $script:oracleReady) {
        Say "DILEWATI" "1 Stop layanan" "Oracle tidak dapat ditanya"
    } else {
        if ($service.Status -ne "Running") { Start-Service -Name $ServiceName -ErrorAction Stop; Start-Sleep -Seconds 20 }
        $before = Job-Names (Get-SopbotJobs)
        Write-Host "Kirim /backup di chat sebagai ADB sekarang. Menunggu job ekspor dimulai (paling lama 10 menit)..."
        $job = Wait-NewJob $before 600
        if (-not $job) {
            Say "GAGAL" "1 Stop layanan" "tidak ada job SOPBOT_ baru yang berjalan dalam 10 menit"
        } else {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            Stop-Service -Name $ServiceName -ErrorAction Stop
            $took = [int]$watch.Elapsed.TotalSeconds
            if (Wait-JobGone $job 60) {
                Say "LULUS" "1 Stop layanan" "job $job dihentikan di server; layanan berhenti dalam $took detik"
            } else {
                Say "GAGAL" "1 Stop layanan" "job $job masih ada di USER_DATAPUMP_JOBS setelah layanan berhenti"
            }
            $log = Join-Path $dataDir "logs\sopbot.log"
            if (Test-Path -LiteralPath $log) { Detail "sopbot.log (akhir)" ((Get-Content -LiteralPath $log -Tail 40 -Encoding UTF8) -join "`r`n") }
            Start-Service -Name $ServiceName
            $told = Ask "Apakah chat menyebut back up 'terputus karena layanan bot dihentikan'? (Y/N)"
            if ($told -eq "Y") { Say "LULUS" "1 Pesan di chat" "sebab berhenti disebut" }
            else { Say "GAGAL" "1 Pesan di chat" "sebab berhenti tidak disebut di chat" }
        }
    }

    # --- 2. Ctrl+C on `sopbot backup` in a console ---------------------------------------------
    # Start-Process without -NoNewWindow gives sopbot.exe a console window of its own [S1]; a
    # Ctrl+C typed there reaches every process attached to that console [S7] but expdp.exe
    # (new process group [S7]); sopbot.exe passes python's exit code on [S8]: 130 after a
    # Ctrl+C (sopbot/cli.py INTERRUPTED_EXIT). Reading .Handle once keeps ExitCode readable
    # after the process ends (.NET Process caches the handle).
    if (-not $script:oracleReady) {
        Say "DILEWATI" "2 Ctrl+C sopbot backup" "Oracle tidak dapat ditanya"
    } else {
        if ($service) { Stop-Service -Name $ServiceName -ErrorAction Stop }  # backup refuses beside the bot
        $before = Job-Names (Get-SopbotJobs)
        $console = Start-Process -FilePath $sopbot -ArgumentList @("backup", "--env-file", "`"$envFile`"") -WorkingDirectory $InstallDir -PassThru
        $null = $console.Handle  # keeps the exit code readable after the process ends
        $job = Wait-NewJob $before 300
        if (-not $job) {
            Say "GAGAL" "2 Ctrl+C sopbot backup" "job ekspor tidak mulai dalam 5 menit"
            if (-not $console.HasExited) { $console.Kill() }
        } else {
            Read-Host "Klik jendela 'sopbot backup' yang baru, tekan Ctrl+C SEKALI, lalu kembali ke sini dan tekan Enter" | Out-Null
            if (-not $console.WaitForExit(200000)) {
                Say "GAGAL" "2 Ctrl+C sopbot backup" "sopbot backup tidak berhenti dalam 200 detik"
                $console.Kill()
            } elseif (-not (Wait-JobGone $job 60)) {
                Say "GAGAL" "2 Ctrl+C sopbot backup" "job $job masih ada di server"
            } elseif ($console.ExitCode -ne 130) {
                Say "GAGAL" "2 Ctrl+C sopbot backup" "kode keluar $($console.ExitCode), seharusnya 130"
            } else {
                Say "LULUS" "2 Ctrl+C sopbot backup" "job $job dihentikan di server, kode keluar 130"
            }
        }
    }

    # --- 3. KILL_JOB through a pipe to expdp.exe ---------------------------------------------
    # A test export with a job name of its own [S10], then what the bot does to stop a job: a
    # parameter file with the login and attach= only (ATTACH allows no other parameter but
    # ENCRYPTION_PASSWORD [S10]), and "KILL_JOB" and "yes" on standard input. A string piped to
    # a native program is written to its standard input [S1]. The parameter file's path is passed
    # as the bot passes it (one argument "parfile=<path>", quoted by the caller when needed).
    if (-not $script:oracleReady) {
        Say "DILEWATI" "3 KILL_JOB lewat pipa" "Oracle tidak dapat ditanya"
    } else {
        $job = "SOPBOT_UJI_" + (Get-Date -Format "HHmmss")
        $temp = [System.IO.Path]::GetTempPath()
        $exportPar = Join-Path $temp "sopbot-uji-export.par"
        $attachPar = Join-Path $temp "sopbot-uji-attach.par"
        $userid = "userid=$($cfg.ORACLE_USER)/`"$password`"@$($cfg.ORACLE_DSN)"
        # ORACLE_SCHEMAS is a comma-separated list (core/settings.py); SCHEMAS takes it without
        # spaces [S10].
        $scope = if ($cfg.ORACLE_SCHEMAS) { "schemas=$($cfg.ORACLE_SCHEMAS -replace '\s', '')" } else { "full=y" }
        try {
            Write-PrivateFile $exportPar (@($userid, "directory=$($cfg.ORACLE_DIRECTORY)", "dumpfile=sopbot-uji-$stamp.dmp", "logfile=sopbot-uji-$stamp.log", "job_name=$job", $scope) -join "`r`n")
            $out = Join-Path $temp "sopbot-uji-export.out"
            Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
            $export = Start-Process -FilePath $expdp -ArgumentList "parfile=`"$exportPar`"" -RedirectStandardOutput $out -PassThru
            $started = Wait-Executing $job 180
            Remove-Item -LiteralPath $exportPar -ErrorAction SilentlyContinue  # read at log-in
            if (-not $started) {
                Say "GAGAL" "3 KILL_JOB lewat pipa" "ekspor uji $job tidak mulai dalam 3 menit"
            } else {
                # What the bot does: a parameter file with the login and attach=, then KILL_JOB and
                # yes on standard input (Data Pump Export, interactive-command mode).
                Write-PrivateFile $attachPar (@($userid, "attach=$job") -join "`r`n")
                $answer = "KILL_JOB`r`nyes`r`n" | & $expdp "parfile=$attachPar" 2>&1 | Out-String
                $code = $LASTEXITCODE
                Detail "expdp attach=$job" $answer
                $gone = Wait-JobGone $job 60
                if ($gone -and $code -eq 0) {
                    Say "LULUS" "3 KILL_JOB lewat pipa" "expdp attach menerima KILL_JOB dari pipa; job $job hilang"
                } elseif ($gone) {
                    # The bot takes a non-zero exit code for a job that may still run.
                    Say "GAGAL" "3 KILL_JOB lewat pipa" "job $job hilang, tetapi kode keluar $code (bot akan melapor job masih jalan)"
                } else {
                    Say "GAGAL" "3 KILL_JOB lewat pipa" "kode keluar $code; job $job masih ada di USER_DATAPUMP_JOBS (lihat laporan)"
                }
            }
            # KILL_JOB detaches every client [S10]: the test export's client ends by itself.
            if (-not $export.WaitForExit(60000)) { $export.Kill() }
            if (Test-Path -LiteralPath $out) { Detail "expdp $job (klien ekspor uji)" ((Get-Content -LiteralPath $out) -join "`r`n") }
        } finally {
            Remove-Item -LiteralPath $exportPar, $attachPar, $out -ErrorAction SilentlyContinue
        }
        Write-Host "Log ekspor uji tetap di direktori $($cfg.ORACLE_DIRECTORY) server: sopbot-uji-$stamp.log (KILL_JOB tidak menghapus log)"
    }

    # --- 4. the backup disk's drive letter ---------------------------------------------------
    # `sopbot check` with the disk plugged, unplugged and locked; its line "Hard disk eksternal:"
    # starts with the verdict's mark (bot/checklist.py CheckItem.line). The volume as Windows
    # sees it (file system: FAT32 holds no file of 4 GiB) goes into the report [S6]. Locking:
    # manage-bde -lock <drive> [S5], which fails while a program (Explorer) uses the disk.
    $disk = Resolve-InstallPath $cfg.EXTERNAL_DISK_PATH
    $mark = @{ ok = [string][char]0x2705; fail = [string][char]0x274C; warn = [string][char]0x26A0 }
    if (-not $disk) {
        Say "DILEWATI" "4 Hard disk" "EXTERNAL_DISK_PATH belum diatur"
    } else {
        if ($service -and (Get-Service -Name $ServiceName).Status -eq "Running") { Stop-Service -Name $ServiceName }
        foreach ($state in @("terpasang", "dicabut", "terkunci")) {
            if ($state -eq "terpasang") { $prompt = "Pasang hard disk back up di $disk, tunggu terbaca, tekan Enter" }
            if ($state -eq "dicabut") { $prompt = "Cabut hard disk dengan aman (Safely Remove Hardware), tekan Enter" }
            if ($state -eq "terkunci") { $prompt = "Pasang lagi, tutup jendela Explorer-nya, lalu kunci: manage-bde -lock $($disk.TrimEnd('\')) ; tekan Enter (ketik L bila tidak memakai BitLocker)" }
            if ((Ask $prompt) -eq "L") { Say "DILEWATI" "4 Hard disk $state" "tidak memakai BitLocker"; continue }
            $existed = Test-Path -LiteralPath $disk
            if ($disk -match '^([A-Za-z]):\\?$' -and (Get-Command Get-Volume -ErrorAction SilentlyContinue)) {
                $volume = Get-Volume -DriveLetter $Matches[1] -ErrorAction SilentlyContinue
                $shown = @("DriveLetter", "FileSystemLabel", "FileSystem", "DriveType", "HealthStatus", "Size", "SizeRemaining")
                if ($volume) { Detail "Get-Volume $disk (hard disk $state)" ($volume | Format-List -Property $shown | Out-String) }
            }
            $check = Run-Sopbot @("check", "--env-file", $envFile)
            Detail "sopbot check (hard disk $state)" $check.Text
            $line = ($check.Text -split "`r?`n" | Where-Object { $_ -match "Hard disk eksternal:" } | Select-Object -First 1)
            if (-not $line -or $check.Text -match "Traceback") {
                Say "GAGAL" "4 Hard disk $state" "sopbot check tidak menilai hard disk (lihat laporan)"
            } elseif ($state -eq "terpasang") {
                if ($line.StartsWith($mark.ok)) { Say "LULUS" "4 Hard disk $state" "dikenali: $line" }
                else { Say "GAGAL" "4 Hard disk $state" $line }
            } elseif ($line.StartsWith($mark.fail) -or $line.StartsWith($mark.warn)) {
                if (-not $existed -and (Test-Path -LiteralPath $disk)) {
                    Say "GAGAL" "4 Hard disk $state" "sopbot check membuat $disk"
                } else {
                    Say "LULUS" "4 Hard disk $state" "ditolak dengan jelas: $line"
                }
            } else {
                Say "GAGAL" "4 Hard disk $state" "tidak ditolak: $line"
            }
        }
        Write-Host "Buka kunci bila perlu: manage-bde -unlock $($disk.TrimEnd('\')) -Password"
    }

    # --- 5. icacls of the install, and the WinSW settings -------------------------------------
    # The same rule as `sopbot check` (core/private.py): DATA_DIR, .env and the office key grant
    # nothing to Users, Authenticated Users or Everyone; the code the service runs (.venv, and
    # the install folder with WinSW's exe and XML) may be read by them but not changed. icacls'
    # display [S3]; the local names of the three groups from their SIDs [S4]; a (DENY) entry
    # grants nothing; a principal is matched whole (CONTOSO\noteveryone is not Everyone).
    $broad = @("BUILTIN\Users", "NT AUTHORITY\Authenticated Users", "Everyone", "*S-1-5-32-545", "*S-1-5-11", "*S-1-1-0")
    foreach ($sid in @("S-1-5-32-545", "S-1-5-11", "S-1-1-0")) {  # the names this Windows prints
        try { $broad += (New-Object System.Security.Principal.SecurityIdentifier $sid).Translate([System.Security.Principal.NTAccount]).Value } catch { }
    }
    # Rights that change a file or folder: core/private.py WRITE_RIGHTS, anywhere in a bracket.
    $writes = "[(,](F|M|W|D|DE|DC|WD|AD|WEA|WA|WDAC|WO|GW|GA|MA)(?=[,)])"
    $targets = @(
        @{ Path = $dataDir; Any = $true }, @{ Path = $envFile; Any = $true },
        @{ Path = $keyFile; Any = $true },
        @{ Path = (Join-Path $InstallDir ".venv"); Any = $false },
        @{ Path = $InstallDir; Any = $false },
        @{ Path = (Join-Path $InstallDir "deploy\windows"); Any = $false }
    )
    foreach ($target in $targets) {
        if (-not $target.Path -or -not (Test-Path -LiteralPath $target.Path)) { continue }
        $acl = & icacls $target.Path 2>&1 | Out-String
        Detail "icacls $($target.Path)" $acl
        $open = @($acl -split "`r?`n" | Where-Object {
            $entry = $_
            ($broad | Where-Object { $entry -match ("(^|\s)" + [regex]::Escape($_) + ":\(") }) -and $entry -notmatch "\(DENY\)" -and ($target.Any -or $entry -match $writes)
        })
        if ($open.Count -gt 0) {
            Say "GAGAL" "5 icacls" "$($target.Path) terbuka: $(($open | ForEach-Object { $_.Trim() }) -join '; ')"
        } elseif ($target.Any) {
            Say "LULUS" "5 icacls" "$($target.Path) tertutup bagi Users/Authenticated Users/Everyone"
        } else {
            Say "LULUS" "5 icacls" "$($target.Path) tidak dapat diubah oleh Users/Authenticated Users/Everyone"
        }
    }
    $xmlPath = Join-Path $InstallDir "deploy\windows\sopbot-service.xml"
    if (Test-Path -LiteralPath $xmlPath) {
        [xml]$xml = Get-Content -LiteralPath $xmlPath -Raw
        $first = "$($xml.service.stopparentprocessfirst)".Trim()
        $timeout = "$($xml.service.stoptimeout)".Trim()
        # As WinSW reads a duration [S9] (tests/test_service_stop_settings.py holds the same).
        $seconds = 0
        if ($timeout -match "^(\d+)\s*ms$") { $seconds = [int]$Matches[1] / 1000 }
        elseif ($timeout -match "^(\d+)\s*(sec|secs)$") { $seconds = [int]$Matches[1] }
        elseif ($timeout -match "^(\d+)\s*(min|mins)$") { $seconds = 60 * [int]$Matches[1] }
        elseif ($timeout -match "^(\d+)\s*(hour|hours|hr|hrs)$") { $seconds = 3600 * [int]$Matches[1] }
        elseif ($timeout -match "^(\d+)$") { $seconds = [int]$Matches[1] / 1000 }
        if ($first -eq "true" -and $seconds -ge 160) {
            Say "LULUS" "5 WinSW" "stopparentprocessfirst=true, stoptimeout $seconds detik"
        } else {
            Say "GAGAL" "5 WinSW" "stopparentprocessfirst='$first', stoptimeout='$timeout' (perlu true dan >= 160 detik)"
        }
    }
} catch {
    Say "GAGAL" "Uji terhenti" $_.Exception.Message
} finally {
    # The service left as it was found: running if it ran before the test, else stopped.
    $now = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
    if ($now -and $serviceWasRunning -and $now.Status -ne "Running") { Start-Service -Name $ServiceName }
    elseif ($now -and $null -ne $serviceWasRunning -and -not $serviceWasRunning -and $now.Status -eq "Running") { Stop-Service -Name $ServiceName }
    $password = $null
    [Console]::OutputEncoding = $previousEncoding
    $OutputEncoding = $previousOutputEncoding
    $env:NLS_LANG = $previousNls
    $all = @($lines) + @("") + @($details)
    [System.IO.File]::WriteAllLines($Report, [string[]]$all, (New-Object System.Text.UTF8Encoding $false))
    Write-Host ""
    Write-Host "Laporan: $Report (kirim ke pengembang / Kabid). GAGAL: $failed"
}
if ($failed -gt 0) { exit 1 }
exit 0
