using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Real file systems for the storage fault tests: a small tmpfs (a disk that fills up, or one mounted read-only) and
/// an ext4 file system on a loop device that can be made to fail every I/O (the ext4 shutdown ioctl, what
/// <c>xfs_io -x -c shutdown</c> does). Mounting needs root, as CI runs; where it cannot be done the test fails and says
/// why, it is never skipped.
/// </summary>
public sealed class Mount : IDisposable
{
    private readonly string? image;
    private readonly string? loopDevice;

    private Mount(string path, string? image, string? loopDevice)
    {
        Path = path;
        this.image = image;
        this.loopDevice = loopDevice;
    }

    public string Path { get; }

    public static Mount Tmpfs(long bytes, bool readOnly = false)
    {
        var path = Directory.CreateTempSubdirectory("fhirmmn-tmpfs-").FullName;
        try
        {
            Run("mount", "-t", "tmpfs", "-o", $"size={bytes},mode=0755{(readOnly ? ",ro" : string.Empty)}", "tmpfs", path);
        }
        catch
        {
            Directory.Delete(path);
            throw;
        }

        return new Mount(path, null, null);
    }

    /// <summary>An ext4 file system of <paramref name="bytes"/> in a sparse image file, mounted through a loop device.</summary>
    public static Mount Ext4(long bytes)
    {
        var path = Directory.CreateTempSubdirectory("fhirmmn-ext4-").FullName;
        var image = path + ".img";
        string? loop = null;
        try
        {
            using (var file = File.Create(image))
            {
                file.SetLength(bytes);
            }

            Run("mkfs.ext4", "-q", "-F", image);
            loop = Run("losetup", "--find", "--show", image).Trim();
            Run("mount", loop, path);
            return new Mount(path, image, loop);
        }
        catch
        {
            if (loop is not null)
            {
                Run("losetup", "-d", loop);
            }

            File.Delete(image);
            Directory.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Shuts the file system down as a dying disk would (EXT4_IOC_SHUTDOWN, not flushing the journal): every read,
    /// write and fsync on it fails with EIO from then on.
    /// </summary>
    public void ShutDown()
    {
        var probe = System.IO.Path.Combine(Path, ".shutdown-handle");
        using var handle = File.OpenHandle(probe, FileMode.OpenOrCreate, FileAccess.Read);
        uint flags = NoLogFlush;
        if (Native.ioctl((int)handle.DangerousGetHandle(), Ext4ShutdownIoctl, ref flags) != 0)
        {
            throw new InvalidOperationException($"The ext4 shutdown ioctl failed on {Path} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Fills the file system with a file until at most <paramref name="leaveFree"/> bytes are left (0: until it is full).</summary>
    public string Fill(long leaveFree)
    {
        var filler = System.IO.Path.Combine(Path, $"filler-{Guid.NewGuid():N}");
        var chunk = new byte[1024 * 1024];
        using var file = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        try
        {
            long free;
            while ((free = new DriveInfo(Path).AvailableFreeSpace) > leaveFree)
            {
                file.Write(chunk, 0, (int)Math.Clamp(free - leaveFree, 4096, chunk.Length));
            }
        }
        catch (IOException) when (leaveFree == 0)
        {
            // Full: what was asked.
        }

        return filler;
    }

    public void Dispose()
    {
        // Lazy, so that a file system still held by a process that is just ending does not stay mounted.
        Run("umount", "-l", Path);
        if (loopDevice is not null)
        {
            Run("losetup", "-d", loopDevice);
        }

        if (image is not null)
        {
            File.Delete(image);
        }

        Directory.Delete(Path);
    }

    /// <summary>Runs a system tool; throws with its output when it fails (for instance when not root).</summary>
    private static string Run(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"The storage fault tests need '{tool}' (util-linux, e2fsprogs) and root: {e.Message}", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'{tool} {string.Join(' ', arguments)}' failed ({process.ExitCode}): {error.Trim()}. The storage fault tests mount real file systems and need root (CI runs as root).");
            }

            return output.Result;
        }
    }

    /// <summary>EXT4_IOC_SHUTDOWN, _IOR('X', 125, __u32), the same number as XFS_IOC_GOINGDOWN.</summary>
    private const ulong Ext4ShutdownIoctl = 0x8004587D;

    /// <summary>EXT4_GOING_FLAGS_NOLOGFLUSH: like a disk that stops answering, nothing more reaches it.</summary>
    private const uint NoLogFlush = 2;

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int ioctl(int fd, ulong request, ref uint argument);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int kill(int pid, int signal);
    }

    /// <summary>Sends SIGTERM, what an orchestrator sends to stop a service (Process.Kill sends SIGKILL).</summary>
    public static void Terminate(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (Native.kill(process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"SIGTERM to {process.Id} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}
