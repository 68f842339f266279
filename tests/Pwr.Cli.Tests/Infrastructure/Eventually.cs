namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>Bounded polling: every wait in these tests ends with a clear failure instead of hanging the run.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? interval = null) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe() is { } value) return value;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or NodeApiException)
            {
                last = e;
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}" + (last is null ? "" : $"; last error: {last.Message}"));
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
        => await WaitAsync<object>(async () => await condition() ? new object() : null, timeout, what, interval);
}
