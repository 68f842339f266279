namespace Pwr.Vm.Evm.Execution;

/// <summary>Runs EVM work on a thread whose stack fits 1025 nested call frames.</summary>
public static class EvmThread
{
    /// <summary>Stack size for EVM threads: generous, since each nested frame recurses on the CLR stack.</summary>
    public const int StackSize = 256 * 1024 * 1024;

    /// <summary>Runs <paramref name="work"/> on a new large-stack thread and waits for it.</summary>
    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }, StackSize);
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }
}
