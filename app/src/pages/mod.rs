pub mod account;
pub mod home;
pub mod login;
pub mod register;
pub mod skillshare;
pub mod verify;
