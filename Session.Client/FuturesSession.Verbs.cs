
namespace ProcessFutures;

/// <summary>The verbs: each is <see cref="FuturesSession.RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/> with its method, in its three shapes.</summary>
public sealed partial class FuturesSession
{
    /// <summary>Sends a GET request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> GetAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Get, url, options, cancellationToken);

    /// <summary>Sends a GET request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> GetAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Get, url, callback, options, cancellationToken);

    /// <summary>Sends a GET request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> GetAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Get, url, callback, options, cancellationToken);

    /// <summary>Sends a HEAD request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> HeadAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Head, url, options, cancellationToken);

    /// <summary>Sends a HEAD request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> HeadAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Head, url, callback, options, cancellationToken);

    /// <summary>Sends a HEAD request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> HeadAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Head, url, callback, options, cancellationToken);

    /// <summary>Sends an OPTIONS request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> OptionsAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Options, url, options, cancellationToken);

    /// <summary>Sends an OPTIONS request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> OptionsAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Options, url, callback, options, cancellationToken);

    /// <summary>Sends an OPTIONS request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> OptionsAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Options, url, callback, options, cancellationToken);

    /// <summary>Sends a DELETE request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> DeleteAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Delete, url, options, cancellationToken);

    /// <summary>Sends a DELETE request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> DeleteAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Delete, url, callback, options, cancellationToken);

    /// <summary>Sends a DELETE request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> DeleteAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Delete, url, callback, options, cancellationToken);

    /// <summary>Sends a POST request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> PostAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Post, url, options, cancellationToken);

    /// <summary>Sends a POST request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> PostAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Post, url, callback, options, cancellationToken);

    /// <summary>Sends a POST request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> PostAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Post, url, callback, options, cancellationToken);

    /// <summary>Sends a PUT request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> PutAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Put, url, options, cancellationToken);

    /// <summary>Sends a PUT request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> PutAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Put, url, callback, options, cancellationToken);

    /// <summary>Sends a PUT request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> PutAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Put, url, callback, options, cancellationToken);

    /// <summary>Sends a PATCH request; see <see cref="RequestAsync(HttpMethod, string, RequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    public Task<Response> PatchAsync(string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Patch, url, options, cancellationToken);

    /// <summary>Sends a PATCH request and runs <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, T}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> PatchAsync<T>(string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Patch, url, callback, options, cancellationToken);

    /// <summary>Sends a PATCH request and runs the asynchronous <paramref name="callback"/> on its response in the background; see <see cref="RequestAsync{T}(HttpMethod, string, Func{Response, CancellationToken, Task{T}}, RequestOptions?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">Runs where the request ran, with a token cancelled when the request is cancelled or times out; for a process pool, a named static method.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    public Task<T> PatchAsync<T>(string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync(HttpMethod.Patch, url, callback, options, cancellationToken);
}
