//! Notification against a real NATS server, a real database, a real webhook receiver and a
//! real SMTP server on loopback.

mod deliveries;
mod email;
mod escalation;
mod helpers;
mod receiver;
mod smtp;
mod stream;
mod subscriptions;
mod webhooks;
