//! A minimal HTTP/1.1 client over a real socket (one connection per request), shared by the
//! socket tests and the demo.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Sends `request` to `addr` and returns the status and the body as text.
pub async fn send(
    addr: SocketAddr,
    request: Request<Body>,
) -> Result<(StatusCode, String), Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut request = request;
    request.headers_mut().insert(
        http::header::HOST,
        http::HeaderValue::from_str(&addr.to_string())?,
    );
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
