using Microsoft.Extensions.Logging;
using HangfireLogLevel = Hangfire.Logging.LogLevel;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// Sends Hangfire's log lines to <see cref="ILogger"/>. Hangfire keeps its log provider in a
/// static, shared by every host in the process; Hangfire's own bridge would then keep writing to
/// the logger factory of a host that has been stopped (and throw). This one drops the lines of a
/// stopped host instead.
/// </summary>
internal sealed class HangfireLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return new Bridge(factory.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new Bridge(null);
        }
    }

    private sealed class Bridge(ILogger? logger) : Hangfire.Logging.ILog
    {
        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = logLevel switch
            {
                HangfireLogLevel.Trace => LogLevel.Trace,
                HangfireLogLevel.Debug => LogLevel.Debug,
                HangfireLogLevel.Info => LogLevel.Information,
                HangfireLogLevel.Warn => LogLevel.Warning,
                HangfireLogLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            try
            {
                if (logger is null || !logger.IsEnabled(level))
                {
                    return false;
                }

                if (messageFunc is not null)
                {
#pragma warning disable CA2254 // Hangfire hands over finished messages, not templates.
                    logger.Log(level, exception, messageFunc());
#pragma warning restore CA2254
                }

                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
