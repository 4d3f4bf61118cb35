pub mod account;
pub mod drive;
pub mod home;
pub mod login;
pub mod nodes;
pub mod register;
pub mod skillshare;
pub mod verify;
