#Requires -Version 5.1

<#
.SYNOPSIS
    Installs, updates or removes KRX Signal Worker as a Windows service.

.DESCRIPTION
    -Install publishes Worker\Worker.csproj (Release, win-x64, framework-dependent) and installs
    the result as a Windows service that starts automatically (delayed) and is restarted by the
    Service Control Manager when it fails. It runs under a least-privilege account: by default
    the virtual account NT SERVICE\<ServiceName>, or LocalService.

    The database, heartbeat and log files live under -DataDir (data and logs subfolders); the
    service may modify those two folders and only read the program folder. Their paths, and any
    secrets given on the command line, are passed to the service as environment variables in the
    service's registry key, whose permissions this script limits to SYSTEM and Administrators.

    Running -Install again updates the installation in place: the new build is published first,
    then the service is stopped, the files replaced, the settings re-applied and the service
    started. Secrets and settings already stored are kept unless given again.

    -Uninstall stops and deletes the service and removes the program folder. The data folder is
    kept unless -RemoveData is given.

    Every step that changes the machine honours -WhatIf and -Confirm. The script must run in an
    elevated PowerShell (Windows PowerShell 5.1 or PowerShell 7).

.PARAMETER Install
    Install the service, or update an existing installation in place.

.PARAMETER Uninstall
    Stop and delete the service and remove the program folder.

.PARAMETER ServiceName
    Name of the Windows service. Default: KrxSignalWorker.

.PARAMETER InstallDir
    Folder that receives the published program. Default: $env:ProgramFiles\KrxSignalWorker.
    With -Uninstall it defaults to the folder the installed service runs from.

.PARAMETER Account
    Account the service runs under: NT SERVICE\<ServiceName> (the default, a virtual account
    with no password and no rights beyond those granted here) or LocalService.

.PARAMETER DataDir
    Folder for the database and heartbeat (DataDir\data) and log files (DataDir\logs).
    Default: $env:ProgramData\KrxSignalWorker.

.PARAMETER Configuration
    Build configuration passed to dotnet publish. Only Release is accepted.

.PARAMETER StockApiKey
    Stock API key, stored as the service variable StockApi__ApiKey. A SecureString, so that it
    is typed at a prompt rather than written in the command history, e.g.
    -StockApiKey (Read-Host -AsSecureString 'Stock API key').

.PARAMETER StockApiBaseUrl
    Root URL of the stock API, stored as StockApi__BaseUrl. The service runs without it but
    polls nothing.

.PARAMETER Secret
    Further secrets, as a hashtable of environment variable name to SecureString: model API
    keys (the variable a model's ApiKeyEnv names) and notification credentials such as
    Notify__Telegram__BotToken or Notify__Webhook__Secret. Stored like -StockApiKey.

.PARAMETER RemoveData
    With -Uninstall: also delete DataDir (database, heartbeat and logs).

.EXAMPLE
    .\install-service.ps1 -Install -StockApiBaseUrl 'https://stock-api.example' -StockApiKey (Read-Host -AsSecureString 'Stock API key')

    Installs (or updates) the service under NT SERVICE\KrxSignalWorker and stores the API URL
    and key for it.

.EXAMPLE
    .\install-service.ps1 -Install -Account LocalService -Secret @{ OPENROUTER_API_KEY = (Read-Host -AsSecureString 'Model key'); Notify__Telegram__BotToken = (Read-Host -AsSecureString 'Bot token') } -WhatIf

    Shows what an installation under LocalService with a model key and a Telegram bot token
    would do, without changing anything.

.EXAMPLE
    .\install-service.ps1 -Uninstall -RemoveData

    Stops and deletes the service, removes the program folder and deletes the data folder.

.NOTES
    Status afterwards:  Get-Service KrxSignalWorker
                        & "$env:ProgramFiles\KrxSignalWorker\Worker.exe" status --heartbeat "$env:ProgramData\KrxSignalWorker\data\heartbeat.json"
    docs\service.md describes the installation in full.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [switch] $Install,

    [switch] $Uninstall,

    [ValidatePattern('^[A-Za-z0-9_.-]{1,80}$')]
    [string] $ServiceName = 'KrxSignalWorker',

    [string] $InstallDir = "$env:ProgramFiles\KrxSignalWorker",

    [string] $Account,

    [string] $DataDir = "$env:ProgramData\KrxSignalWorker",

    [ValidateSet('Release')]
    [string] $Configuration = 'Release',

    [System.Security.SecureString] $StockApiKey,

    [string] $StockApiBaseUrl,

    [hashtable] $Secret,

    [switch] $RemoveData
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# ----------------------------------------------------------------------------------- checks
# Platform and elevation come first: nothing below works without them.
if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
    throw 'install-service.ps1 installs a Windows service. On Linux use deploy/systemd/install.sh.'
}
$currentPrincipal = [System.Security.Principal.WindowsPrincipal]::new(
    [System.Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $currentPrincipal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'install-service.ps1 must run as Administrator: open PowerShell with "Run as administrator" and run it again.'
}

if ($Install.IsPresent -eq $Uninstall.IsPresent) {
    throw 'Give exactly one of -Install or -Uninstall.'
}
if ($Install -and $RemoveData) {
    throw '-RemoveData is only valid with -Uninstall.'
}
if ($Uninstall -and ($null -ne $StockApiKey -or $null -ne $Secret -or $StockApiBaseUrl)) {
    throw '-StockApiKey, -StockApiBaseUrl and -Secret are only valid with -Install.'
}

# Absolute paths without a trailing backslash: relative ones resolve against the current
# PowerShell location, and a trailing "\" would escape the closing quote of a native argument.
$InstallDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($InstallDir).TrimEnd('\')
$DataDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataDir).TrimEnd('\')

$displayName = 'KRX Signal Worker'
$description = 'Polls the stock API during KRX market hours, runs the prediction models on new ' +
    'articles and sends buy/sell signals. Health: Worker.exe status.'
$dataSubDir = Join-Path $DataDir 'data'
$logsSubDir = Join-Path $DataDir 'logs'
$heartbeatPath = Join-Path $dataSubDir 'heartbeat.json'
$serviceKeyPath = "SYSTEM\CurrentControlSet\Services\$ServiceName"

# Well-known SIDs, so that nothing depends on the language of the account names.
$sidSystem = 'S-1-5-18'
$sidAdministrators = 'S-1-5-32-544'
$sidUsers = 'S-1-5-32-545'

# --------------------------------------------------------------------------------- helpers

function Invoke-NativeCommand {
    # Runs a program and throws, with its output, when the exit code is not a success code.
    param(
        [Parameter(Mandatory = $true)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [Parameter(Mandatory = $true)] [string] $Description,
        [int[]] $SuccessCode = @(0),
        [switch] $ShowOutput
    )
    # Windows PowerShell turns a native program's redirected stderr into error records; with
    # $ErrorActionPreference = 'Stop' the first one would end the script before the exit code
    # could be read. This assignment is local to the function.
    $ErrorActionPreference = 'Continue'
    $lines = [System.Collections.Generic.List[string]]::new()
    & $FilePath @ArgumentList 2>&1 | ForEach-Object {
        $line = "$_"
        $lines.Add($line)
        if ($ShowOutput) { Write-Host $line } else { Write-Verbose $line }
    }
    $code = $LASTEXITCODE
    if ($SuccessCode -notcontains $code) {
        $text = (@($lines | Where-Object { $_.Trim() }) -join [System.Environment]::NewLine)
        throw ("{0} failed with exit code {1}.{2}{3}" -f $Description, $code, [System.Environment]::NewLine, $text)
    }
}

function Get-WorkerServiceInfo {
    # The service's WMI object (path, account, process id), or $null when it does not exist.
    # ServiceName is restricted by ValidatePattern, so it cannot break out of the filter.
    Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $ServiceName)
}

function Stop-WorkerService {
    $info = Get-WorkerServiceInfo
    if ($null -eq $info -or $info.State -eq 'Stopped') { return }
    if (-not $PSCmdlet.ShouldProcess($ServiceName, 'Stop service')) { return }
    $processId = [int]$info.ProcessId
    Stop-Service -Name $ServiceName -Force -Confirm:$false
    # The SCM reports Stopped just before the process has exited and released its files.
    if ($processId -gt 0) {
        Wait-Process -Id $processId -Timeout 30 -ErrorAction SilentlyContinue
    }
}

function ConvertTo-PlainText([System.Security.SecureString] $Value) {
    $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($Value)
    try {
        return [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    } finally {
        [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
    }
}

function Test-SafeToDelete([string] $Path) {
    # Refuses drive roots and the well-known system folders, whatever a parameter says.
    $full = [System.IO.Path]::GetFullPath($Path).TrimEnd('\')
    $root = [System.IO.Path]::GetPathRoot($full).TrimEnd('\')
    $protected = @($env:ProgramFiles, ${env:ProgramFiles(x86)}, $env:ProgramData, $env:SystemRoot,
        $env:USERPROFILE, $env:PUBLIC) | Where-Object { $_ } | ForEach-Object { $_.TrimEnd('\') }
    return ($full -ne $root) -and ($protected -notcontains $full)
}

# ------------------------------------------------------------------------------- uninstall

if ($Uninstall) {
    $info = Get-WorkerServiceInfo
    if (-not $PSBoundParameters.ContainsKey('InstallDir') -and $null -ne $info) {
        # Remove the folder the service really runs from, not the default.
        if ($info.PathName -match '^\s*"([^"]+)"' -or $info.PathName -match '^\s*(\S+)') {
            $InstallDir = Split-Path -Parent $Matches[1]
        }
    }

    if ($null -ne $info) {
        Stop-WorkerService
        if ($PSCmdlet.ShouldProcess($ServiceName, 'Delete service (sc.exe delete)')) {
            # Deleting the service also deletes its registry key, and the secrets stored in it.
            Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('delete', $ServiceName) -Description "sc.exe delete $ServiceName"
            Write-Host "Deleted the service $ServiceName. If it still shows as 'marked for deletion', close the Services console."
        }
    } else {
        Write-Host "The service $ServiceName does not exist."
    }

    if (Test-Path -LiteralPath (Join-Path $InstallDir 'Worker.exe')) {
        if (-not (Test-SafeToDelete $InstallDir)) {
            throw "Refusing to delete '$InstallDir': it is a drive root or a system folder."
        }
        if ($PSCmdlet.ShouldProcess($InstallDir, 'Remove program folder')) {
            Remove-Item -LiteralPath $InstallDir -Recurse -Force -Confirm:$false
            Write-Host "Removed $InstallDir."
        }
    }

    if ($RemoveData) {
        if (Test-Path -LiteralPath $DataDir) {
            if (-not (Test-SafeToDelete $DataDir)) {
                throw "Refusing to delete '$DataDir': it is a drive root or a system folder."
            }
            if ($PSCmdlet.ShouldProcess($DataDir, 'Remove data folder (database, heartbeat, logs)')) {
                Remove-Item -LiteralPath $DataDir -Recurse -Force -Confirm:$false
                Write-Host "Removed $DataDir."
            }
        }
    } elseif (Test-Path -LiteralPath $DataDir) {
        Write-Host "Kept the data folder $DataDir (use -RemoveData to delete it)."
    }
    return
}

# --------------------------------------------------------------------------------- install

# Account: the virtual account is the default; LocalService is shared with other services.
if (-not $Account) { $Account = "NT SERVICE\$ServiceName" }
if ($Account -match '^(NT AUTHORITY\\)?(LocalService|LOCAL SERVICE)$') {
    $serviceAccount = 'NT AUTHORITY\LocalService'
} elseif ($Account -eq "NT SERVICE\$ServiceName") {
    $serviceAccount = "NT SERVICE\$ServiceName"
} else {
    throw "-Account must be 'NT SERVICE\$ServiceName' (the default) or 'LocalService', not '$Account'."
}

# Environment variables for the service. Values are collected here and written to the registry
# only after its permissions are restricted; secrets are never printed, only their names.
$secretValues = [ordered]@{}
if ($null -ne $StockApiKey) { $secretValues['StockApi__ApiKey'] = $StockApiKey }
if ($null -ne $Secret) {
    foreach ($name in $Secret.Keys) {
        if ("$name" -notmatch '^[A-Za-z_][A-Za-z0-9_]*$') {
            throw "-Secret: '$name' is not a valid environment variable name."
        }
        if ($Secret[$name] -isnot [System.Security.SecureString]) {
            throw "-Secret: the value of '$name' must be a SecureString, e.g. (Read-Host -AsSecureString '$name')."
        }
        $secretValues["$name"] = $Secret[$name]
    }
}
$plainValues = [ordered]@{
    'Storage__DatabasePath' = (Join-Path $dataSubDir 'worker.db')
    'Heartbeat__Path'       = $heartbeatPath
    'Logs__Directory'       = $logsSubDir
}
if ($StockApiBaseUrl) {
    $parsedUrl = $null
    if (-not [System.Uri]::TryCreate($StockApiBaseUrl, [System.UriKind]::Absolute, [ref] $parsedUrl) -or
        @('http', 'https') -notcontains $parsedUrl.Scheme) {
        throw "-StockApiBaseUrl must be an absolute http or https URL, not '$StockApiBaseUrl'."
    }
    $plainValues['StockApi__BaseUrl'] = $StockApiBaseUrl
}

$projectPath = Join-Path $PSScriptRoot 'Worker\Worker.csproj'
if (-not (Test-Path -LiteralPath $projectPath)) {
    throw "Project not found: $projectPath. Run the script from the repository it belongs to."
}
$dotnetCommand = Get-Command -Name 'dotnet' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if ($null -eq $dotnetCommand) {
    throw 'dotnet was not found on PATH. Install the .NET 10 SDK and open a new PowerShell window.'
}
$dotnet = $dotnetCommand.Path

# The published program is framework-dependent: the service needs a machine-wide .NET 10 runtime.
$runtimeLines = @(& $dotnet --list-runtimes | Where-Object { $_ -match '^Microsoft\.NETCore\.App 10\.' })
if ($LASTEXITCODE -ne 0) { throw "dotnet --list-runtimes failed with exit code $LASTEXITCODE." }
if ($runtimeLines.Count -eq 0) {
    throw 'No .NET 10 runtime (Microsoft.NETCore.App 10.x) is installed. Install the .NET 10 SDK or runtime.'
}
$machineWideDotnet = "[$env:ProgramFiles\dotnet\"
if (-not ($runtimeLines | Where-Object { $_.IndexOf($machineWideDotnet, [System.StringComparison]::OrdinalIgnoreCase) -ge 0 })) {
    Write-Warning "The .NET 10 runtime is not in $env:ProgramFiles\dotnet; the service finds only a machine-wide installation."
}

$exePath = Join-Path $InstallDir 'Worker.exe'
$binaryPath = '"{0}" run' -f $exePath
$stagingDir = Join-Path ([System.IO.Path]::GetTempPath()) ('KrxSignalWorker-publish-' + [guid]::NewGuid().ToString('N'))

try {
    # 1. Publish to a staging folder while the installed service keeps running: a failed build
    #    changes nothing, and the service is stopped only for the copy.
    #    ReadyToRun ships precompiled code, so the service starts without waiting on the JIT.
    if ($PSCmdlet.ShouldProcess($projectPath, "dotnet publish -c $Configuration -r win-x64 --self-contained false -p:PublishReadyToRun=true")) {
        Invoke-NativeCommand -FilePath $dotnet -Description 'dotnet publish' -ShowOutput -ArgumentList @(
            'publish', $projectPath, '-c', $Configuration, '-r', 'win-x64', '--self-contained', 'false',
            '-p:PublishReadyToRun=true', '-o', $stagingDir, '--nologo')
        if (-not (Test-Path -LiteralPath (Join-Path $stagingDir 'Worker.exe'))) {
            throw "dotnet publish produced no Worker.exe in $stagingDir."
        }
    }

    # 2. Stop the running service, then copy the new build over the program folder.
    #    robocopy exit codes below 8 mean success (1 = files copied).
    Stop-WorkerService
    if ($PSCmdlet.ShouldProcess($InstallDir, 'Copy the published program')) {
        New-Item -ItemType Directory -Path $InstallDir -Force -Confirm:$false | Out-Null
        Invoke-NativeCommand -FilePath 'robocopy.exe' -Description 'robocopy (copy the published program)' `
            -SuccessCode @(0, 1, 2, 3, 4, 5, 6, 7) -ArgumentList @(
            $stagingDir, $InstallDir, '/E', '/R:3', '/W:2', '/NP', '/NFL', '/NDL', '/NJH', '/NJS')
    }
} finally {
    if (Test-Path -LiteralPath $stagingDir) {
        Remove-Item -LiteralPath $stagingDir -Recurse -Force -Confirm:$false -WhatIf:$false
    }
}

# 3. Create the service, or bring an existing one up to date.
if ($null -eq (Get-WorkerServiceInfo)) {
    if ($PSCmdlet.ShouldProcess($ServiceName, "Create service running $binaryPath")) {
        New-Service -Name $ServiceName -BinaryPathName $binaryPath -DisplayName $displayName `
            -Description $description -StartupType Automatic -Confirm:$false | Out-Null
    }
}
if ($PSCmdlet.ShouldProcess($ServiceName, "Set binary path, display name, description and account ($serviceAccount)")) {
    # Win32_Service.Change rather than "sc.exe config binPath= ...": the path must be quoted
    # inside the value, and Windows PowerShell 5.1 does not pass embedded quotes to native
    # programs intact. Virtual accounts and LocalService take an empty password.
    $result = Invoke-CimMethod -InputObject (Get-WorkerServiceInfo) -MethodName Change -Confirm:$false -Arguments @{
        DisplayName   = $displayName
        PathName      = $binaryPath
        StartName     = $serviceAccount
        StartPassword = ''
    }
    if ($result.ReturnValue -ne 0) {
        throw "Updating the service configuration failed: Win32_Service.Change returned $($result.ReturnValue) (2 = access denied, 22 = invalid account)."
    }
    Set-Service -Name $ServiceName -Description $description -Confirm:$false
}
if ($PSCmdlet.ShouldProcess($ServiceName, 'Set start type to automatic (delayed start)')) {
    Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('config', $ServiceName, 'start=', 'delayed-auto') -Description 'sc.exe config start= delayed-auto'
}
if ($PSCmdlet.ShouldProcess($ServiceName, 'Set recovery: restart after 1 min, 1 min, 5 min; reset the count after 1 day')) {
    # "sc", not "sc.exe", would be Set-Content. Each "name=" must be followed by a space.
    Invoke-NativeCommand -FilePath 'sc.exe' -Description 'sc.exe failure' -ArgumentList @(
        'failure', $ServiceName, 'reset=', '86400', 'actions=', 'restart/60000/restart/60000/restart/300000')
    # Also count a stop with a non-zero exit code as a failure, not only a crash.
    Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('failureflag', $ServiceName, '1') -Description 'sc.exe failureflag'
}
if ($PSCmdlet.ShouldProcess($ServiceName, 'Give the service its own SID (sc.exe sidtype unrestricted)')) {
    # The service SID (NT SERVICE\<name>) is then in the service's token under either account,
    # so the folder permissions below name this service alone, not every LocalService service.
    Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('sidtype', $ServiceName, 'unrestricted') -Description 'sc.exe sidtype'
}

# 4. Folders and permissions.
#    DataDir: inheritance from ProgramData is removed, because ProgramData lets every user create
#    files in its subfolders; SYSTEM and Administrators get full control, Users read (so anyone on
#    the machine can run "Worker.exe status"). The service may modify data and logs only, and
#    read and execute the program folder. Bypass-traverse-checking lets it reach data and logs
#    without rights on DataDir itself.
foreach ($dir in @($DataDir, $dataSubDir, $logsSubDir)) {
    if (-not (Test-Path -LiteralPath $dir) -and $PSCmdlet.ShouldProcess($dir, 'Create folder')) {
        New-Item -ItemType Directory -Path $dir -Force -Confirm:$false | Out-Null
    }
}
if ($PSCmdlet.ShouldProcess("$DataDir, $InstallDir", "Set permissions for NT SERVICE\$ServiceName")) {
    $serviceSid = [System.Security.Principal.NTAccount]::new("NT SERVICE\$ServiceName").Translate(
        [System.Security.Principal.SecurityIdentifier]).Value
    Invoke-NativeCommand -FilePath 'icacls.exe' -Description "icacls $DataDir" -ArgumentList @(
        $DataDir, '/inheritance:r', '/grant:r',
        "*$($sidSystem):(OI)(CI)F", "*$($sidAdministrators):(OI)(CI)F", "*$($sidUsers):(OI)(CI)RX", '/Q')
    foreach ($dir in @($dataSubDir, $logsSubDir)) {
        Invoke-NativeCommand -FilePath 'icacls.exe' -Description "icacls $dir" -ArgumentList @(
            $dir, '/grant:r', "*$($serviceSid):(OI)(CI)M", '/Q')
    }
    Invoke-NativeCommand -FilePath 'icacls.exe' -Description "icacls $InstallDir" -ArgumentList @(
        $InstallDir, '/grant:r', "*$($serviceSid):(OI)(CI)RX", '/Q')
}

# 5. Environment variables, in the multi-string value "Environment" of the service's key
#    HKLM\SYSTEM\CurrentControlSet\Services\<name>. The SCM reads it (as SYSTEM) and adds the
#    variables to the service process's environment; nothing else needs to read it.
#    By default that key inherits read access for every user from the Services key, so the
#    DACL is first replaced with SYSTEM and Administrators only (full control, not inherited).
#    After that the secrets stored here are readable by SYSTEM, Administrators and the service
#    process itself, and not by ordinary users. Deleting the service deletes the key with them.
$secretNames = @($secretValues.Keys) -join ', '
$envTarget = "HKLM:\$serviceKeyPath (Environment)"
$envAction = 'Restrict the key to SYSTEM and Administrators; set ' + (@($plainValues.Keys) -join ', ')
if ($secretNames) { $envAction += "; set the secrets $secretNames (values not shown)" }
if ($PSCmdlet.ShouldProcess($envTarget, $envAction)) {
    $rights = [System.Security.AccessControl.RegistryRights]'ReadKey, SetValue, ChangePermissions'
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey(
        $serviceKeyPath, [Microsoft.Win32.RegistryKeyPermissionCheck]::ReadWriteSubTree, $rights)
    if ($null -eq $key) { throw "Registry key HKLM\$serviceKeyPath not found." }
    try {
        $security = [System.Security.AccessControl.RegistrySecurity]::new()
        $security.SetAccessRuleProtection($true, $false)
        foreach ($sid in @($sidSystem, $sidAdministrators)) {
            $rule = [System.Security.AccessControl.RegistryAccessRule]::new(
                [System.Security.Principal.SecurityIdentifier]::new($sid),
                [System.Security.AccessControl.RegistryRights]::FullControl,
                [System.Security.AccessControl.InheritanceFlags]::ContainerInherit,
                [System.Security.AccessControl.PropagationFlags]::None,
                [System.Security.AccessControl.AccessControlType]::Allow)
            $security.AddAccessRule($rule)
        }
        $key.SetAccessControl($security)

        # Merge with what is stored, so a re-run without -StockApiKey keeps the key already set.
        # Variable names are case-insensitive on Windows.
        $environment = [System.Collections.Specialized.OrderedDictionary]::new([System.StringComparer]::OrdinalIgnoreCase)
        $stored = $key.GetValue('Environment', $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        foreach ($entry in @($stored | Where-Object { $_ })) {
            $at = $entry.IndexOf('=')
            if ($at -gt 0) { $environment[$entry.Substring(0, $at)] = $entry.Substring($at + 1) }
        }
        foreach ($name in $plainValues.Keys) { $environment[$name] = $plainValues[$name] }
        foreach ($name in $secretValues.Keys) {
            $plain = ConvertTo-PlainText $secretValues[$name]
            if ($plain.IndexOf([char]0) -ge 0 -or $plain -match '[\r\n]') {
                throw "The value given for $name contains a line break or NUL character."
            }
            $environment[$name] = $plain
        }
        $entries = [string[]]@($environment.Keys | ForEach-Object { '{0}={1}' -f $_, $environment[$_] })
        $key.SetValue('Environment', $entries, [Microsoft.Win32.RegistryValueKind]::MultiString)
    } finally {
        $key.Close()
    }
    if ($secretNames) { Write-Host "Stored $secretNames for the service (values not shown)." }
}

# 6. Start, and check that it stays up: a configuration error makes the daemon exit at once
#    (exit code 78), which Start-Service alone may not notice.
if ($PSCmdlet.ShouldProcess($ServiceName, 'Start service')) {
    $hint = "See the newest file in $logsSubDir and Event Viewer > Windows Logs > Application."
    try {
        Start-Service -Name $ServiceName -Confirm:$false
    } catch {
        throw "The service $ServiceName did not start: $($_.Exception.Message) $hint"
    }
    Start-Sleep -Seconds 5
    $state = (Get-Service -Name $ServiceName).Status
    if ($state -ne 'Running') {
        throw "The service $ServiceName stopped right after starting (state: $state). $hint"
    }
}

if ($WhatIfPreference) {
    Write-Host 'WhatIf: nothing was changed.'
    return
}

Write-Host ''
Write-Host "$displayName is installed as the service '$ServiceName' (account $serviceAccount)."
Write-Host ''
Write-Host "  Status:     Get-Service $ServiceName"
Write-Host ('  Health:     & "{0}" status --heartbeat "{1}"' -f $exePath, $heartbeatPath)
Write-Host ('  Log:        Get-ChildItem "{0}" | Sort-Object LastWriteTime | Select-Object -Last 1 | Get-Content -Tail 50 -Wait' -f $logsSubDir)
Write-Host "  Restart:    Restart-Service $ServiceName"
Write-Host ('  Uninstall:  & "{0}" -Uninstall' -f $PSCommandPath)
