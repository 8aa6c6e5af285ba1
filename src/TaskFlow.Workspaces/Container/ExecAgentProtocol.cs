using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// The exec agent: a POSIX shell script that is a workspace container's main process (under the
/// engine's init), reading requests on the container's standard input and answering on its
/// standard output, both reached through one attach of the Docker Engine API. A command then
/// costs a few process spawns inside the container instead of an engine exec (create, start,
/// inspect: about 100 ms).
/// </summary>
/// <remarks>
/// <para>
/// The agent runs as the container's user, in its namespaces and cgroup, with its read-only root
/// and no capability: it can do nothing a command could not do itself, so it confers no
/// privilege. Commands get what an exec gets: the container's user and environment plus the
/// request's, <c>/workspace</c> as the working folder, each in a session of its own.
/// </para>
/// <para>
/// Lines, host to agent:
/// <list type="bullet">
/// <item><c>P {token}</c>: answered <c>P {token}</c> (the host's readiness check).</item>
/// <item><c>R {id} {maxOutputBytes} {stdin base64 or -}</c> followed by one line of shell that
/// exports the environment and sets the arguments (<see cref="Request"/>): runs it.</item>
/// <item><c>K {id}</c>: SIGKILLs the command's process group (timeout, cancellation).</item>
/// </list>
/// Agent to host: <c>D {id} {exit code} {stdout bytes dropped} {stderr bytes dropped} {stdout
/// base64} {stderr base64}</c> when a command has ended, or <c>F {id}</c> when it could not be
/// started. At most <c>maxOutputBytes</c> of each stream is kept (<c>dd</c> with a full block
/// reads exactly that much); the rest is counted and dropped, as with an exec. When a command
/// ends, what it left running in its process group is killed, as after an exec.
/// </para>
/// <para>
/// The script needs <c>sh</c>, <c>mkfifo</c>, <c>dd</c>, <c>wc</c>, <c>base64</c> and
/// <c>setsid</c> in the image (busybox and Debian-based images have them). An image without them
/// has no agent, and its commands run as execs.
/// </para>
/// </remarks>
internal static partial class ExecAgentProtocol
{
    /// <summary>Where the agent's script is written at start, inside the container's own <c>/tmp</c>.</summary>
    public const string ScriptPath = "/tmp/.taskflow-exec-agent";

    /// <summary>
    /// The container's command: writes the script (its <c>$0</c>) to <see cref="ScriptPath"/> and
    /// runs it from there, so the process list shows <c>sh /tmp/.taskflow-exec-agent</c> rather
    /// than the whole script. A restarted container writes it again (its <c>/tmp</c> is new).
    /// </summary>
    public const string Launch = "printf '%s' \"$0\" > " + ScriptPath + " && exec sh " + ScriptPath;

    /// <summary>The agent.</summary>
    public const string Script =
        """
        A=/tmp/.taskflow-agent
        mkdir -p "$A" || exit 125
        NL='
        '
        lock() { until mkdir "$A/.lock" 2>/dev/null; do sleep 0.002; done; }
        unlock() { rmdir "$A/.lock"; }
        keep() {
          if [ "$1" -gt 0 ]; then dd of="$2" bs="$1" count=1 iflag=fullblock 2>/dev/null; else : > "$2"; fi
          wc -c > "$3"
        }
        fail() { lock; printf 'F %s\n' "$1"; unlock; rm -rf "$A/$1"; }
        run() {
          id=$1 max=$2 in=$3 d=$A/$1
          mkdir "$d" && mkfifo "$d/o" "$d/e" || { fail "$id"; return; }
          keep "$max" "$d/out" "$d/orest" < "$d/o" &
          r1=$!
          keep "$max" "$d/err" "$d/erest" < "$d/e" &
          r2=$!
          eval "$4" && cd /workspace || { : > "$d/o"; : > "$d/e"; wait; fail "$id"; return; }
          if [ "$in" = - ]; then
            setsid "$@" < /dev/null > "$d/o" 2> "$d/e" &
          else
            printf %s "$in" | base64 -d | setsid "$@" > "$d/o" 2> "$d/e" &
          fi
          pid=$!
          echo "$pid" > "$d/pid"
          wait "$pid"
          rc=$?
          kill -9 -"$pid" 2>/dev/null
          wait "$r1" "$r2"
          read -r orest < "$d/orest"
          read -r erest < "$d/erest"
          lock
          printf 'D %s %s %s %s ' "$id" "$rc" "${orest:-0}" "${erest:-0}"
          base64 -w0 < "$d/out"
          printf ' '
          base64 -w0 < "$d/err"
          printf '\n'
          unlock
          rm -rf "$d"
        }
        while IFS= read -r line; do
          case $line in
            'P '*) lock; printf 'P %s\n' "${line#P }"; unlock ;;
            'K '*) read -r pid < "$A/${line#K }/pid" 2>/dev/null && kill -9 -"$pid" 2>/dev/null ;;
            'R '*) IFS= read -r code || break; set -- ${line#R }; run "$1" "$2" "$3" "$code" & ;;
          esac
        done
        """;

    /// <summary>
    /// Standard input larger than this goes through an exec: the shell reads a request line a byte
    /// at a time, which is fast for a command line and slow for megabytes.
    /// </summary>
    public const int MaxStdinChars = 64 * 1024;

    /// <summary>
    /// The two request lines for a command, or null when the agent cannot carry it (an environment
    /// variable name the shell cannot export, or a large standard input): the caller then uses an exec.
    /// </summary>
    public static string? Request(string id, ExecRequest request)
    {
        if (request.Stdin is { Length: > MaxStdinChars })
        {
            return null;
        }

        var code = new StringBuilder();
        foreach (var (name, value) in request.Environment ?? new Dictionary<string, string>())
        {
            if (!EnvironmentName().IsMatch(name))
            {
                return null;
            }

            code.Append("export ").Append(name).Append('=').Append(Quote(value)).Append("; ");
        }

        code.Append("set --");
        foreach (var argument in request.Command)
        {
            code.Append(' ').Append(Quote(argument));
        }

        var stdin = request.Stdin is null ? "-" : Convert.ToBase64String(Encoding.UTF8.GetBytes(request.Stdin));
        return string.Create(CultureInfo.InvariantCulture, $"R {id} {Math.Max(0, request.MaxOutputBytes)} {stdin}\n{code}\n");
    }

    /// <summary>
    /// Single-quoted for the shell, each line break written as <c>"$NL"</c> (the agent's newline),
    /// so a request stays one line whatever the argument holds.
    /// </summary>
    public static string Quote(string value) =>
        "'" + value.Replace("'", "'\\''", StringComparison.Ordinal).Replace("\n", "'\"$NL\"'", StringComparison.Ordinal) + "'";

    /// <summary>An answer line, or null when the line is not one.</summary>
    public static AgentAnswer? Parse(string line)
    {
        var fields = line.Split(' ');
        if (fields is ["P", var token])
        {
            return new AgentAnswer(AgentAnswerKind.Pong, token, 0, [], 0, [], 0);
        }

        if (fields is ["F", var failed])
        {
            return new AgentAnswer(AgentAnswerKind.Failed, failed, 0, [], 0, [], 0);
        }

        if (fields is ["D", var id, var rc, var outDropped, var errDropped, var stdout, var stderr]
            && int.TryParse(rc, NumberStyles.None, CultureInfo.InvariantCulture, out var exitCode)
            && long.TryParse(outDropped.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var outRest)
            && long.TryParse(errDropped.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var errRest))
        {
            try
            {
                return new AgentAnswer(AgentAnswerKind.Done, id, exitCode, Convert.FromBase64String(stdout), outRest, Convert.FromBase64String(stderr), errRest);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}

internal enum AgentAnswerKind
{
    Pong,
    Done,
    Failed,
}

/// <summary>One line from the agent.</summary>
/// <param name="Id">The request's id (a pong's token).</param>
internal sealed record AgentAnswer(AgentAnswerKind Kind, string Id, int ExitCode, byte[] Stdout, long StdoutDropped, byte[] Stderr, long StderrDropped);
